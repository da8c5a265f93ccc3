import {
  kafkaSinkSettingsFromEnv,
  type KafkaSinkSettings,
} from '../../../src/adapters/kafka/kafka-settings.ts';
import type { KafkaTickSink } from '../../../src/adapters/kafka/kafka-tick-sink.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { startPlatformaticKafkaTickSink } from '../../../src/adapters/platformatic-kafka/start-platformatic-kafka-tick-sink.ts';
import { systemClock } from '../../../src/adapters/system/system-clock.ts';

export interface PlatformaticTestSink {
  readonly sink: KafkaTickSink;
  readonly settings: KafkaSinkSettings;
  readonly logger: MemoryLogger;
  readonly metrics: MemoryMetrics;
}

/** The @platformatic/kafka tick sink on `broker` and `topic`, journal in `journalDir`, with its logs and metrics. */
export const startPlatformaticTestSink = async (
  broker: string,
  topic: string,
  journalDir: string,
  env: Readonly<Record<string, string>> = {},
): Promise<PlatformaticTestSink> => {
  const settings = kafkaSinkSettingsFromEnv({
    KAFKA_BROKER: broker,
    TICK_TOPIC: topic,
    KAFKA_TOPIC_PARTITIONS: '3',
    SINK_JOURNAL_DIR: journalDir,
    // These tests start against a broker that is up; kafka-start-without-broker.int.spec.ts covers false.
    KAFKA_REQUIRED_AT_START: 'true',
    ...env,
  });
  const logger = new MemoryLogger('info');
  const metrics = new MemoryMetrics();
  const sink = await startPlatformaticKafkaTickSink(settings, { logger, metrics, clock: systemClock });
  return { sink, settings, logger, metrics };
};
