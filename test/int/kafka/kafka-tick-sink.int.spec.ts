import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { KafkaSinkStartError } from '../../../src/adapters/kafka/kafka-start-error.ts';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { tickId, type Tick } from '../../../src/domain/tick.ts';
import { encodeTick, TICK_SCHEMA_VERSION } from '../../../src/ports/tick-sink/tick-wire.ts';
import { contractTick, tickSinkContract } from '../../contract/tick-sink.contract.ts';
import { readTopic } from './fixtures/read-topic.ts';
import { streamBatch, streamTokens } from './fixtures/tick-stream.ts';
import {
  removeDir,
  SINK_CLIENTS,
  startClientSink,
  tempDir,
  type TestSink,
  type TestSinkStarter,
} from './kafka-test-sink.ts';

const broker = (): string => inject('kafkaBroker');

const kafkaAdmin = () => new Kafka({ brokers: [broker()], logLevel: logLevel.NOTHING }).admin();

/** Starts sinks on one client, each with a journal of its own; `afterEach` closes them. */
const sinksOn = (startSink: TestSinkStarter) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const start = async (
    topic: string,
    env: Readonly<Record<string, string>> = {},
    at: string = broker(),
  ): Promise<TestSink> => {
    const dir = tempDir('kafka-sink-');
    const started = await startSink(at, topic, dir, env);
    cleanups.push(async () => {
      await started.sink.close();
      removeDir(dir);
    });
    return started;
  };
  const later = (cleanup: () => Promise<void>): void => {
    cleanups.push(cleanup);
  };
  return { start, later };
};

describe.each(SINK_CLIENTS)('Kafka tick sink on $client', ({ client, start: startSink }) => {
  tickSinkContract(`kafka (${client})`, async (ns) => {
    const topic = `contract-${client}-${ns}`;
    const dir = tempDir('kafka-contract-');
    const { sink } = await startSink(broker(), topic, dir);
    return {
      sink,
      readBack: async () => (await readTopic(broker(), topic)).map((m) => m.tick),
      dispose: async () => {
        await sink.close();
        removeDir(dir);
      },
    };
  });

  const { start, later } = sinksOn(startSink);

  it('publishes keyed by token, the wire JSON as value, with schema-version, source and tick-id headers', async () => {
    const topic = `wire-${client}-${randomUUID()}`;
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
    const { logger } = await start(`ready-${client}-${randomUUID()}`);
    expect(logger.lines().filter((l) => l === '[INFO] Kafka Producer Ready')).toHaveLength(1);
  });

  it('creates a missing topic with KAFKA_TOPIC_PARTITIONS partitions, spreads tokens over them, and warns when a later start wants another count', async () => {
    const topic = `created-${client}-${randomUUID()}`;
    const first = await start(topic, { KAFKA_TOPIC_PARTITIONS: '4', KAFKA_REPLICATION_FACTOR: '1' });
    const admin = kafkaAdmin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(metadata.topics[0]?.partitions).toHaveLength(4);
    await first.sink.publish(streamBatch(streamTokens(40), 1));
    const partitions = new Set((await readTopic(broker(), topic)).map((m) => m.partition));
    expect([...partitions].every((p) => p >= 0 && p < 4)).toBe(true);
    expect(partitions.size).toBeGreaterThan(1);
    const second = await start(topic, { KAFKA_TOPIC_PARTITIONS: '6' });
    expect(second.logger.records).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'Kafka topic partition count differs from KAFKA_TOPIC_PARTITIONS',
        fields: expect.objectContaining({ partitions: 4, expected: 6 }) as unknown,
      }),
    );
  });

  it('warns, and works, when the topic exists with another partition count', async () => {
    const topic = `existing-${client}-${randomUUID()}`;
    const admin = kafkaAdmin();
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
    const { sink, metrics } = await start(`metrics-${client}-${randomUUID()}`, {
      KAFKA_BATCH_MAX_TICKS: '100',
    });
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

  it('fails to start with a KafkaSinkStartError naming KAFKA_BROKER when no broker answers', async () => {
    const nowhere = `127.0.0.1:${await freePort()}`;
    const dir = tempDir('kafka-nowhere-');
    later(() => Promise.resolve(removeDir(dir)));
    const failure = await startSink(nowhere, `nowhere-${client}-${randomUUID()}`, dir, {
      KAFKA_STARTUP_TIMEOUT_MS: '2000',
      KAFKA_CONNECTION_TIMEOUT_MS: '500',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(KafkaSinkStartError);
    expect(failure).toMatchObject({ kind: 'BrokerUnreachable', setting: 'KAFKA_BROKER' });
  });
});

describe('Kafka tick sink across clients', () => {
  const { start: startKafkajs } = sinksOn(startClientSink('kafkajs'));
  const { start: startPlatformatic } = sinksOn(startClientSink('platformatic'));

  it('puts every token on the same partition on both clients, so switching clients keeps its order', async () => {
    const tokens = streamTokens(60);
    const ticks: Tick[] = streamBatch(tokens, 1);
    const env = { KAFKA_TOPIC_PARTITIONS: '6' };
    const plt = await startPlatformatic(`plt-parity-${randomUUID()}`, env);
    await plt.sink.publish(ticks);
    const kjs = await startKafkajs(`kafkajs-parity-${randomUUID()}`, env);
    await kjs.sink.publish(ticks);
    const partitionOf = async (topic: string): Promise<Record<string, number>> =>
      Object.fromEntries((await readTopic(broker(), topic)).map((m) => [m.key, m.partition]));
    const ours = await partitionOf(plt.settings.topic);
    expect(Object.keys(ours)).toHaveLength(60);
    expect(new Set(Object.values(ours)).size).toBeGreaterThan(1);
    expect(ours).toEqual(await partitionOf(kjs.settings.topic));
  });
});
