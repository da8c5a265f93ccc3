import { assembleTickSink, type TickSinkDeps } from './assemble-tick-sink.ts';
import { KafkaBatchSender } from './kafka-batch-sender.ts';
import { KAFKA_CLIENT_ENTRIES } from './kafka-drivers.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import { driverStartFailure } from './kafka-start-error.ts';
import type { KafkaTickSink } from './kafka-tick-sink.ts';
import { ensureTickTopic, withTopicAdmin } from './kafka-topic-admin.ts';

export type KafkaTickSinkDeps = TickSinkDeps;

/**
 * Starts the Kafka tick sink on the client KAFKA_CLIENT names (kafkajs or @platformatic/kafka):
 * the journal first, then Kafka (`Kafka Producer Ready`) now or when it first answers, as
 * KAFKA_REQUIRED_AT_START says (assemble-tick-sink.ts). A start that must meet Kafka fails with a
 * `KafkaSinkStartError` naming the setting at fault, within KAFKA_STARTUP_TIMEOUT_MS.
 */
export const startKafkaTickSink = async (
  settings: KafkaSinkSettings,
  deps: KafkaTickSinkDeps,
): Promise<KafkaTickSink> => {
  const client = KAFKA_CLIENT_ENTRIES[settings.client];
  const logger = deps.logger.child({ component: 'kafka-tick-sink', ...client.logFields });
  return assembleTickSink(settings, deps, logger, async () => {
    const driver = await client.open(settings, logger);
    return {
      ensureTopic: () => withTopicAdmin(driver, (admin) => ensureTickTopic(admin, driver, settings, logger)),
      sender: new KafkaBatchSender(driver, settings.topic, logger),
      classify: driverStartFailure(driver),
    };
  });
};
