import { Kafka } from 'kafkajs';
import { assembleTickSink, type TickSinkDeps } from './assemble-tick-sink.ts';
import { KafkaBatchSender } from './kafka-batch-sender.ts';
import { CLIENT_RETRY, kafkaClientConfig } from './kafka-client-config.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import { startFailure } from './kafka-start-error.ts';
import type { KafkaTickSink } from './kafka-tick-sink.ts';
import { ensureTickTopic } from './kafka-topic-admin.ts';

export type KafkaTickSinkDeps = TickSinkDeps;

/**
 * Starts the Kafka tick sink on kafkajs: the journal first, then Kafka (`Kafka Producer Ready`)
 * now or when it first answers, as KAFKA_REQUIRED_AT_START says (assemble-tick-sink.ts). A start
 * that must meet Kafka fails with a `KafkaSinkStartError` naming the setting at fault, within
 * KAFKA_STARTUP_TIMEOUT_MS.
 */
export const startKafkaTickSink = async (
  settings: KafkaSinkSettings,
  deps: KafkaTickSinkDeps,
): Promise<KafkaTickSink> => {
  const logger = deps.logger.child({ component: 'kafka-tick-sink' });
  return assembleTickSink(settings, deps, logger, async () => {
    const kafka = new Kafka(await kafkaClientConfig(settings, logger));
    return {
      ensureTopic: async () => {
        const admin = kafka.admin({ retry: CLIENT_RETRY });
        try {
          await admin.connect();
          await ensureTickTopic(admin, settings, logger);
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      },
      sender: new KafkaBatchSender(kafka, settings.topic, logger),
      classify: startFailure,
    };
  });
};
