import type { KafkaSinkSettings } from '../../../adapters/kafka/kafka-settings.ts';
import type { KafkaTickSink } from '../../../adapters/kafka/kafka-tick-sink.ts';
import { startKafkaTickSink } from '../../../adapters/kafka/start-kafka-tick-sink.ts';
import type { Clock } from '../../../ports/clock.ts';
import type { Logger } from '../../../ports/logger/logger.ts';
import type { Metrics } from '../../../ports/metrics.ts';

/**
 * The Kafka tick sink of the client KAFKA_CLIENT names (kafkajs by default; @platformatic/kafka is
 * faster, see bench/README.md). Every container that needs a Kafka sink starts it through here.
 * Only a service that follows the live feed (`live`, `demo`) may start before Kafka answers
 * (`mayStartWithoutKafka`, and KAFKA_REQUIRED_AT_START=false): a backfill or a replay has no feed
 * to lose by waiting, so it keeps failing within KAFKA_STARTUP_TIMEOUT_MS.
 */
export const startTickSink = (
  settings: KafkaSinkSettings,
  deps: { readonly logger: Logger; readonly metrics: Metrics; readonly clock: Clock },
  options: { readonly mayStartWithoutKafka?: boolean } = {},
): Promise<KafkaTickSink> => {
  const effective: KafkaSinkSettings = {
    ...settings,
    requiredAtStart: settings.requiredAtStart || options.mayStartWithoutKafka !== true,
  };
  return startKafkaTickSink(effective, deps);
};
