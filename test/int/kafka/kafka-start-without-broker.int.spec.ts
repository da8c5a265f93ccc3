import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KafkaSinkStartError } from '../../../src/adapters/kafka/kafka-start-error.ts';
import { TickJournal } from '../../../src/adapters/tick-journal/tick-journal.ts';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { startLocalKafka, type LocalKafka } from '../../../src/dev/infra/local-kafka.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import { readTopic, type ReadMessage } from './fixtures/read-topic.ts';
import { streamBatch, streamTokens } from './fixtures/tick-stream.ts';
import { removeDir, SINK_CLIENTS, tempDir } from './kafka-test-sink.ts';

const CLIENTS = SINK_CLIENTS.map(({ client, start }) => ({ name: client, start }));

const WITHOUT_KAFKA = { KAFKA_REQUIRED_AT_START: 'false', SINK_SPILL_AFTER_MS: '200' } as const;

/** Each token's seqs as Kafka holds them, in offset order (one token, one partition). */
const seqsByToken = (messages: readonly ReadMessage[]): Map<string, number[]> => {
  const out = new Map<string, number[]>();
  for (const m of messages) out.set(m.key, [...(out.get(m.key) ?? []), m.tick.seq]);
  return out;
};

const partitionsOf = async (broker: string, topic: string): Promise<number> => {
  const admin = new Kafka({ clientId: 'probe', brokers: [broker], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    return meta.topics[0]?.partitions.length ?? 0;
  } finally {
    await admin.disconnect();
  }
};

describe('Kafka tick sink started while no broker answers', () => {
  const dirs: string[] = [];
  const dir = (prefix: string): string => {
    const d = tempDir(prefix);
    dirs.push(d);
    return d;
  };
  let kafka: LocalKafka | undefined;
  afterAll(async () => {
    await kafka?.stop();
    for (const d of dirs) removeDir(d);
  });

  it('KAFKA_REQUIRED_AT_START=true still fails fast, naming KAFKA_BROKER (both clients)', async () => {
    const at = `127.0.0.1:${await freePort()}`;
    for (const client of CLIENTS) {
      const started = client.start(at, `never-${randomUUID()}`, dir('required-'), {
        KAFKA_REQUIRED_AT_START: 'true',
        KAFKA_STARTUP_TIMEOUT_MS: '1500',
      });
      await expect(started, client.name).rejects.toBeInstanceOf(KafkaSinkStartError);
      await expect(started, client.name).rejects.toMatchObject({
        kind: 'BrokerUnreachable',
        setting: 'KAFKA_BROKER',
      });
    }
  });

  it('journals from the first publish, then creates the topic and delivers every tick in order once a broker appears (both clients)', async () => {
    const port = await freePort();
    const at = `127.0.0.1:${port}`;
    const tokens = streamTokens(20);
    const runs = await Promise.all(
      CLIENTS.map(async (client) => {
        const topic = `no-broker-${client.name}-${randomUUID()}`;
        const started = await client.start(at, topic, dir(`no-broker-${client.name}-`), WITHOUT_KAFKA);
        return { client: client.name, topic, ...started };
      }),
    );
    const sent: Tick[] = [];
    for (let b = 0; b < 50; b++) {
      const batch = streamBatch(tokens, b);
      sent.push(...batch);
      // Each publish resolves: with no broker, its ticks are fsync'd in the journal.
      await Promise.all(runs.map((r) => r.sink.publish(batch)));
    }
    for (const r of runs) {
      expect(r.metrics.value('kafka_connected'), r.client).toBe(0);
      expect(r.metrics.value('kafka_unreachable_since_seconds'), r.client).toBeGreaterThan(0);
      expect(r.metrics.value('sink_journal_bytes'), r.client).toBeGreaterThan(0);
      expect(r.metrics.value('ticks_published_total') ?? 0, r.client).toBe(0);
      expect(r.sink.link?.status().connected, r.client).toBe(false);
    }

    kafka = await startLocalKafka({ dir: dir('late-broker-'), port });
    await Promise.all(runs.map((r) => r.sink.flush()));
    for (const r of runs) {
      const messages = await readTopic(kafka.broker, r.topic);
      const want = new Map(tokens.map((t) => [t, Array.from({ length: 50 }, (_, b) => b)]));
      expect(seqsByToken(messages), r.client).toEqual(want);
      expect(messages, r.client).toHaveLength(sent.length);
      expect(await partitionsOf(kafka.broker, r.topic), r.client).toBe(3);
      expect(r.metrics.value('kafka_connected'), r.client).toBe(1);
      expect(r.metrics.value('kafka_unreachable_since_seconds'), r.client).toBe(0);
      expect(r.metrics.value('sink_journal_bytes'), r.client).toBe(0);
      expect(
        r.logger.records.map((l) => l.message),
        r.client,
      ).toContain('Created Kafka topic');
      await r.sink.close();
    }
  }, 180_000);

  it('a topic Kafka refuses when first reached fails the link with the start error, and the journal keeps the ticks (both clients)', async () => {
    for (const client of CLIENTS) {
      const journalDir = dir(`refused-${client.name}-`);
      // One broker cannot hold three replicas: the creation is refused for good.
      const { sink, settings } = await client.start(
        inject('kafkaBroker'),
        `refused-${randomUUID()}`,
        journalDir,
        {
          ...WITHOUT_KAFKA,
          KAFKA_REPLICATION_FACTOR: '3',
        },
      );
      const link = sink.link;
      if (link === undefined) throw new Error('the sink has no Kafka link');
      await expect(link.fatal, client.name).rejects.toMatchObject({
        kind: 'TopicNotCreated',
        setting: 'KAFKA_REPLICATION_FACTOR',
      });
      await expect(link.fatal, client.name).rejects.toThrow(/^KAFKA_REPLICATION_FACTOR: cannot create topic/);
      const batch = streamBatch(streamTokens(5), 1);
      await sink.publish(batch);
      await sink.close();
      const journal = await TickJournal.open(settings.journal);
      try {
        expect(journal.unacked, client.name).toBeGreaterThan(0);
      } finally {
        await journal.close();
      }
    }
  }, 60_000);
});
