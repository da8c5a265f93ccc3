import { either as E } from 'fp-ts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import {
  decodeKafkaSinkSettings,
  type KafkaSinkSettings,
} from '../../../src/adapters/kafka/kafka-settings.ts';
import { startKafkaRecordPublishers } from '../../../src/adapters/kafka/start-kafka-record-publishers.ts';
import { startLocalKafka, type LocalKafka } from '../../../src/dev/infra/local-kafka.ts';
import { readTopicWithKcat } from '../../support/kcat.ts';
import { sleep } from './trust-harness.ts';

const settingsFor = (broker: string): KafkaSinkSettings => {
  const d = decodeKafkaSinkSettings({
    KAFKA_BROKER: broker,
    KAFKA_TOPIC_PARTITIONS: '2',
    KAFKA_REQUEST_TIMEOUT_MS: '2000',
    KAFKA_CONNECTION_TIMEOUT_MS: '500',
  });
  if (E.isLeft(d)) throw new Error(d.left.map((e) => e.message).join('; '));
  return d.right;
};

describe('KafkaRecordPublisher against a broker of its own (stopped for an outage)', () => {
  let kafka: LocalKafka;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tickflow-records-'));
    kafka = await startLocalKafka({ dir });
  });
  afterAll(async () => {
    await kafka.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates its topic, keeps order per key, and delivers what it accepted across an outage', async () => {
    const topic = `quarantine-${randomUUID().slice(0, 8)}`;
    const metrics = new MemoryMetrics();
    const { q } = await startKafkaRecordPublishers(
      settingsFor(kafka.broker),
      { q: topic },
      {
        logger: new MemoryLogger(),
        metrics,
      },
    );
    const record = (i: number) => ({
      key: String(1000 + (i % 3)),
      value: JSON.stringify({ i }),
      schemaVersion: 1,
    });
    await q.publish([0, 1, 2, 3].map(record));

    await kafka.stop();
    const during = q.publish([4, 5, 6, 7, 8].map(record));
    let settled = false;
    during.then(
      () => (settled = true),
      () => (settled = true),
    );
    await sleep(1500);
    expect(settled).toBe(false);
    expect(metrics.value('control_records_pending', { topic })).toBe(5);
    await kafka.start();
    await during;
    await q.close();

    const read = await readTopicWithKcat(kafka.broker, topic);
    const seen = read.map((m) => (JSON.parse(m.value) as { i: number }).i);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    for (const key of ['1000', '1001', '1002']) {
      const mine = read.filter((m) => m.key === key).map((m) => (JSON.parse(m.value) as { i: number }).i);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    expect(metrics.value('control_records_published_total', { topic })).toBe(9);
    expect(metrics.value('control_records_failed_total', { topic })).toBe(0);
  });

  it('what is still unacknowledged when close gives up is counted as failed and rejected, never dropped silently', async () => {
    const topic = `gaps-${randomUUID().slice(0, 8)}`;
    const metrics = new MemoryMetrics();
    const logger = new MemoryLogger();
    const { g } = await startKafkaRecordPublishers(
      settingsFor(kafka.broker),
      { g: topic },
      { logger, metrics },
    );
    await kafka.stop();
    try {
      const lost = g.publish([
        { key: '1', value: '{}', schemaVersion: 1 },
        { key: '2', value: '{}', schemaVersion: 1 },
      ]);
      const outcome = lost.then(
        () => 'delivered',
        (e: unknown) => (e instanceof Error ? e.name : 'error'),
      );
      await sleep(300);
      await g.close();
      expect(await outcome).toBe('RecordsNotDelivered');
      expect(metrics.value('control_records_failed_total', { topic })).toBe(2);
      expect(logger.records.some((r) => r.level === 'error' && r.message === 'Control records lost')).toBe(
        true,
      );
      await expect(g.publish([{ key: '3', value: '{}', schemaVersion: 1 }])).rejects.toThrow(/closed/);
      expect(metrics.value('control_records_failed_total', { topic })).toBe(3);
    } finally {
      await kafka.start();
    }
  });

  it('with a journal, what an outage kept from Kafka survives the close and is sent by the next start', async () => {
    const topic = `quarantine-${randomUUID().slice(0, 8)}`;
    const journalDir = mkdtempSync(join(tmpdir(), 'tickflow-control-journal-'));
    const logger = new MemoryLogger();
    const first = await startKafkaRecordPublishers(
      settingsFor(kafka.broker),
      { q: topic },
      { logger, metrics: new MemoryMetrics() },
      { journalDir },
    );
    const before = await first.q.publish([{ key: 'a', value: '{"n":0}', schemaVersion: 1 }]);
    expect(before).toBeUndefined();
    await kafka.stop();
    const accepted = Array.from({ length: 50 }, (_, i) => ({
      key: ['a', 'b'][i % 2] ?? 'a',
      value: `{"n":${i + 1}}`,
      // Versions differ only to show each record's own goes with it through the journal.
      schemaVersion: 1 + ((i + 1) % 3),
    }));
    const outcomes = accepted.map((r) =>
      first.q.publish([r]).then(
        () => 'kept',
        () => 'lost',
      ),
    );
    await sleep(300);
    await first.q.close();
    // Not lost: on disk, for the next start.
    expect(new Set(await Promise.all(outcomes))).toEqual(new Set(['kept']));
    expect(
      logger.records.some((r) => r.message === 'Control records kept in the journal for the next start'),
    ).toBe(true);
    await kafka.start();

    const metrics = new MemoryMetrics();
    const second = await startKafkaRecordPublishers(
      settingsFor(kafka.broker),
      { q: topic },
      { logger, metrics },
      { journalDir },
    );
    await second.q.publish([{ key: 'a', value: '{"n":51}', schemaVersion: 1 }]);
    await second.q.close();
    const read = await readTopicWithKcat(kafka.broker, topic);
    const values = read.map((m) => (JSON.parse(m.value) as { n: number }).n);
    expect(
      read.filter((m) => {
        const n = (JSON.parse(m.value) as { n: number }).n;
        return m.headers !== `schema-version=${n === 0 || n === 51 ? 1 : 1 + (n % 3)}`;
      }),
    ).toEqual([]);
    // Every record, once (an acknowledged one is not sent again), and per key in order.
    expect([...values].sort((x, y) => x - y)).toEqual(Array.from({ length: 52 }, (_, i) => i));
    const byKey = (await readTopicWithKcat(kafka.broker, topic)).filter((m) => m.key === 'b');
    const bValues = byKey.map((m) => (JSON.parse(m.value) as { n: number }).n);
    expect(bValues).toEqual([...bValues].sort((x, y) => x - y));
    expect(metrics.value('control_records_published_total', { topic })).toBe(51);
    rmSync(journalDir, { recursive: true, force: true });
  });

  it('with a journal, records accepted during an outage survive a SIGKILL and are sent by the next start', async () => {
    const topic = `gaps-kill-${randomUUID().slice(0, 8)}`;
    const journalDir = mkdtempSync(join(tmpdir(), 'tickflow-control-kill-'));
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('../../support/control-publisher-fixture.ts', import.meta.url)),
        kafka.broker,
        topic,
        journalDir,
        '40',
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    const said = (word: string): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (out.includes(word)) resolve();
          else setTimeout(check, 20);
        };
        check();
      });
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    try {
      await said('started');
      await kafka.stop();
      child.stdin.write('go\n');
      await said('published');
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    } finally {
      child.kill('SIGKILL');
      await kafka.start();
    }
    const metrics = new MemoryMetrics();
    const next = await startKafkaRecordPublishers(
      settingsFor(kafka.broker),
      { q: topic },
      { logger: new MemoryLogger(), metrics },
      { journalDir },
    );
    await next.q.close();
    const values = (await readTopicWithKcat(kafka.broker, topic)).map(
      (m) => (JSON.parse(m.value) as { n: number }).n,
    );
    expect([...values].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(metrics.value('control_records_published_total', { topic })).toBe(40);
    rmSync(journalDir, { recursive: true, force: true });
  });
});
