import { Admin } from '@platformatic/kafka';
import { assembleTickSink, type TickSinkDeps } from '../kafka/assemble-tick-sink.ts';
import type { KafkaSinkSettings } from '../kafka/kafka-settings.ts';
import type { KafkaTickSink } from '../kafka/kafka-tick-sink.ts';
import { PlatformaticBatchSender } from './platformatic-batch-sender.ts';
import { platformaticClientOptions } from './platformatic-client-options.ts';
import { platformaticStartFailure } from './platformatic-start-error.ts';
import { ensureTickTopic } from './platformatic-topic-admin.ts';

export type PlatformaticTickSinkDeps = TickSinkDeps;

/**
 * Starts the Kafka tick sink with @platformatic/kafka as the producer (KAFKA_CLIENT=platformatic):
 * the same settings, journal, topic rules, start rules (KAFKA_REQUIRED_AT_START) and
 * `KafkaTickSink` loop as the kafkajs sink, with only the client behind the sender swapped.
 */
export const startPlatformaticKafkaTickSink = async (
  settings: KafkaSinkSettings,
  deps: PlatformaticTickSinkDeps,
): Promise<KafkaTickSink> => {
  const logger = deps.logger.child({ component: 'kafka-tick-sink', client: 'platformatic' });
  return assembleTickSink(settings, deps, logger, async () => {
    const options = await platformaticClientOptions(settings, logger);
    return {
      ensureTopic: async () => {
        const admin = new Admin(options);
        try {
          await ensureTickTopic(admin, settings, logger);
        } finally {
          await admin.close().catch(() => undefined);
        }
      },
      sender: new PlatformaticBatchSender(options, settings.topic, logger),
      classify: platformaticStartFailure,
    };
  });
};
