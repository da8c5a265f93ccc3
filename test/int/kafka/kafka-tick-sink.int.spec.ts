import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { tickId } from '../../../src/domain/tick.ts';
import { encodeTick, TICK_SCHEMA_VERSION } from '../../../src/ports/tick-sink/tick-wire.ts';
import { contractTick, tickSinkContract } from '../../contract/tick-sink.contract.ts';
import { readTopic } from './fixtures/read-topic.ts';
import { removeDir, startTestSink, tempDir, type TestSink } from './kafka-test-sink.ts';

const broker = (): string => inject('kafkaBroker');

tickSinkContract('kafka', async (ns) => {
  const topic = `contract-${ns}`;
  const dir = tempDir('kafka-contract-');
  const { sink } = await startTestSink(broker(), topic, dir);
  return {
    sink,
    readBack: async () => (await readTopic(broker(), topic)).map((m) => m.tick),
    dispose: async () => {
      await sink.close();
      removeDir(dir);
    },
  };
});

describe('KafkaTickSink', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const start = async (topic: string, env: Readonly<Record<string, string>> = {}): Promise<TestSink> => {
    const dir = tempDir('kafka-sink-');
    const started = await startTestSink(broker(), topic, dir, env);
    cleanups.push(async () => {
      await started.sink.close();
      removeDir(dir);
    });
    return started;
  };

  it('publishes keyed by token, the wire JSON as value, with schema-version, source and tick-id headers', async () => {
    const topic = `wire-${randomUUID()}`;
    const { sink } = await start(topic);
    const ticks = [contractTick('26000', 1), { ...contractTick('2885', 7), source: 'backfill' as const }];
    await sink.publish(ticks);
    const messages = await readTopic(broker(), topic);
    expect(
      messages
        .map((m) => ({ key: m.key, value: m.value, headers: m.headers }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    ).toEqual(
      [...ticks]
        .sort((a, b) => a.token.localeCompare(b.token))
        .map((t) => ({
          key: t.token,
          value: encodeTick(t),
          headers: { 'schema-version': String(TICK_SCHEMA_VERSION), source: t.source, 'tick-id': tickId(t) },
        })),
    );
  });

  it('logs "[INFO] Kafka Producer Ready" once the producer is connected', async () => {
    const { logger } = await start(`ready-${randomUUID()}`);
    expect(logger.lines().filter((l) => l === '[INFO] Kafka Producer Ready')).toHaveLength(1);
  });

  it('creates a missing topic with KAFKA_TOPIC_PARTITIONS partitions', async () => {
    const topic = `created-${randomUUID()}`;
    await start(topic, { KAFKA_TOPIC_PARTITIONS: '4', KAFKA_REPLICATION_FACTOR: '1' });
    const admin = new Kafka({ brokers: [broker()], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(metadata.topics[0]?.partitions).toHaveLength(4);
  });

  it('warns, and works, when the topic exists with another partition count', async () => {
    const topic = `existing-${randomUUID()}`;
    const admin = new Kafka({ brokers: [broker()], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const { sink, logger } = await start(topic, { KAFKA_TOPIC_PARTITIONS: '6' });
    expect(logger.records).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'Kafka topic partition count differs from KAFKA_TOPIC_PARTITIONS',
        fields: expect.objectContaining({ partitions: 2, expected: 6 }) as unknown,
      }),
    );
    await sink.publish([contractTick('26000', 1)]);
    expect(await readTopic(broker(), topic)).toHaveLength(1);
  });

  it('counts published ticks and batches, and leaves nothing queued after a flush', async () => {
    const { sink, metrics } = await start(`metrics-${randomUUID()}`, { KAFKA_BATCH_MAX_TICKS: '100' });
    const ticks = Array.from({ length: 250 }, (_, i) => contractTick('26000', i));
    await sink.publish(ticks);
    await sink.flush();
    expect(metrics.value('ticks_published_total')).toBe(250);
    expect(metrics.value('kafka_batches_total', { outcome: 'ok' })).toBe(3);
    expect(metrics.value('kafka_batches_total', { outcome: 'error' })).toBe(0);
    expect(metrics.observed('kafka_publish_latency_seconds')).toHaveLength(3);
    expect(metrics.value('sink_queue_depth')).toBe(0);
    expect(metrics.value('sink_journal_bytes')).toBe(0);
  });
});
