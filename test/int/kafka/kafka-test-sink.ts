import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KAFKA_CLIENTS,
  kafkaSinkSettingsFromEnv,
  type KafkaClientKind,
  type KafkaSinkSettings,
} from '../../../src/adapters/kafka/kafka-settings.ts';
import type { KafkaTickSink } from '../../../src/adapters/kafka/kafka-tick-sink.ts';
import { startKafkaTickSink } from '../../../src/adapters/kafka/start-kafka-tick-sink.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { systemClock } from '../../../src/adapters/system/system-clock.ts';

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));
export const removeDir = (dir: string): void => {
  rmSync(dir, { recursive: true, force: true });
};

export interface TestSink {
  readonly sink: KafkaTickSink;
  readonly settings: KafkaSinkSettings;
  readonly logger: MemoryLogger;
  readonly metrics: MemoryMetrics;
}

/**
 * A Kafka tick sink on `broker` and `topic`, with its journal in `journalDir`, and its logs and
 * metrics; on kafkajs unless `env` sets KAFKA_CLIENT.
 */
export const startTestSink = async (
  broker: string,
  topic: string,
  journalDir: string,
  env: Readonly<Record<string, string>> = {},
): Promise<TestSink> => {
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
  const sink = await startKafkaTickSink(settings, { logger, metrics, clock: systemClock });
  return { sink, settings, logger, metrics };
};

export type TestSinkStarter = typeof startTestSink;

/** `startTestSink` on one client: what a suite run per client (`describe.each(SINK_CLIENTS)`) starts. */
export const startClientSink =
  (client: KafkaClientKind): TestSinkStarter =>
  (broker, topic, journalDir, env) =>
    startTestSink(broker, topic, journalDir, { KAFKA_CLIENT: client, ...(env ?? {}) });

/** Every client the sink runs on, with its starter. */
export const SINK_CLIENTS: readonly { readonly client: KafkaClientKind; readonly start: TestSinkStarter }[] =
  KAFKA_CLIENTS.map((client) => ({ client, start: startClientSink(client) }));
