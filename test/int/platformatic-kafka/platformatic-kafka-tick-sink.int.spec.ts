import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaSinkStartError } from '../../../src/adapters/kafka/kafka-start-error.ts';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { startLocalKafka, type LocalKafka } from '../../../src/dev/infra/local-kafka.ts';
import { tickId, type Tick } from '../../../src/domain/tick.ts';
import { encodeTick, TICK_SCHEMA_VERSION } from '../../../src/ports/tick-sink/tick-wire.ts';
import { contractTick, tickSinkContract } from '../../contract/tick-sink.contract.ts';
import { readTopic } from '../kafka/fixtures/read-topic.ts';
import { streamBatch, streamTokens } from '../kafka/fixtures/tick-stream.ts';
import { removeDir, startTestSink, tempDir } from '../kafka/kafka-test-sink.ts';
import { startPlatformaticTestSink, type PlatformaticTestSink } from './platformatic-test-sink.ts';

const broker = (): string => inject('kafkaBroker');

tickSinkContract('platformatic-kafka', async (ns) => {
  const topic = `contract-plt-${ns}`;
  const dir = tempDir('platformatic-contract-');
  const { sink } = await startPlatformaticTestSink(broker(), topic, dir);
  return {
    sink,
    readBack: async () => (await readTopic(broker(), topic)).map((m) => m.tick),
    dispose: async () => {
      await sink.close();
      removeDir(dir);
    },
  };
});

describe('Kafka tick sink on @platformatic/kafka', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const start = async (
    topic: string,
    env: Readonly<Record<string, string>> = {},
    at: string = broker(),
  ): Promise<PlatformaticTestSink> => {
    const dir = tempDir('platformatic-sink-');
    const started = await startPlatformaticTestSink(at, topic, dir, env);
    cleanups.push(async () => {
      await started.sink.close();
      removeDir(dir);
    });
    return started;
  };

  it('writes the same messages as the kafkajs sink: key, wire JSON value, schema-version, source and tick-id headers', async () => {
    const topic = `plt-wire-${randomUUID()}`;
    const { sink, logger } = await start(topic);
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
    expect(logger.lines().filter((l) => l === '[INFO] Kafka Producer Ready')).toHaveLength(1);
  });

  it('puts every token on the partition the kafkajs sink puts it on, so switching clients keeps its order', async () => {
    const tokens = streamTokens(60);
    const ticks: Tick[] = streamBatch(tokens, 1);
    const env = { KAFKA_TOPIC_PARTITIONS: '6' };
    const plt = await start(`plt-parity-${randomUUID()}`, env);
    await plt.sink.publish(ticks);
    const kafkajsTopic = `kafkajs-parity-${randomUUID()}`;
    const dir = tempDir('kafkajs-parity-');
    const kjs = await startTestSink(broker(), kafkajsTopic, dir, env);
    cleanups.push(async () => {
      await kjs.sink.close();
      removeDir(dir);
    });
    await kjs.sink.publish(ticks);
    const partitionOf = async (topic: string): Promise<Record<string, number>> =>
      Object.fromEntries((await readTopic(broker(), topic)).map((m) => [m.key, m.partition]));
    const ours = await partitionOf(plt.settings.topic);
    expect(Object.keys(ours)).toHaveLength(60);
    expect(new Set(Object.values(ours)).size).toBeGreaterThan(1);
    expect(ours).toEqual(await partitionOf(kafkajsTopic));
  });

  it('creates a missing topic with KAFKA_TOPIC_PARTITIONS partitions, and warns about an existing one that differs', async () => {
    const topic = `plt-created-${randomUUID()}`;
    const first = await start(topic, { KAFKA_TOPIC_PARTITIONS: '4' });
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

  it('fails to start with a KafkaSinkStartError naming KAFKA_BROKER when no broker answers', async () => {
    const nowhere = `127.0.0.1:${await freePort()}`;
    const dir = tempDir('platformatic-nowhere-');
    cleanups.push(() => Promise.resolve(removeDir(dir)));
    const failure = await startPlatformaticTestSink(nowhere, `plt-nowhere-${randomUUID()}`, dir, {
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

describe('Kafka tick sink on @platformatic/kafka through a broker outage', () => {
  let kafka: LocalKafka;
  let kafkaDir: string;
  beforeAll(async () => {
    kafkaDir = tempDir('platformatic-outage-broker-');
    kafka = await startLocalKafka({ dir: kafkaDir });
  });
  afterAll(async () => {
    await kafka.stop();
    removeDir(kafkaDir);
  });

  it('resolves publishes through the journal while the broker is down, then delivers every tick in order', async () => {
    const topic = `plt-outage-${randomUUID()}`;
    const journalDir = tempDir('platformatic-outage-journal-');
    const { sink, logger, metrics } = await startPlatformaticTestSink(kafka.broker, topic, journalDir, {
      SINK_SPILL_AFTER_MS: '500',
    });
    const tokens = streamTokens(20);
    const sent: Tick[][] = Array.from({ length: 200 }, (_, b) => streamBatch(tokens, b));
    await Promise.all(sent.slice(0, 50).map((b) => sink.publish(b)));
    await kafka.stop();
    // Accepted while Kafka is down: each publish resolves once its ticks are in the journal.
    await Promise.all(sent.slice(50, 150).map((b) => sink.publish(b)));
    expect(metrics.value('sink_spilling')).toBe(1);
    await kafka.start();
    await Promise.all(sent.slice(150).map((b) => sink.publish(b)));
    await sink.flush();
    await sink.close();
    removeDir(journalDir);

    const messages = await readTopic(kafka.broker, topic);
    const firstSeen = new Map<string, Tick>();
    for (const m of messages) if (!firstSeen.has(tickId(m.tick))) firstSeen.set(tickId(m.tick), m.tick);
    const seqs: Record<string, number[]> = {};
    for (const t of firstSeen.values()) (seqs[t.token] ??= []).push(t.seq);
    const expected = Object.fromEntries(tokens.map((t) => [t, sent.map((_, b) => b)]));
    expect(seqs).toEqual(expected);
    expect(logger.records.map((r) => r.message)).toContain(
      'Tick journal drained: publishing straight to Kafka again',
    );
  }, 240_000);
});
