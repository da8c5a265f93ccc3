import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalFull } from '../../../src/adapters/tick-journal/journal-writer.ts';
import { startLocalKafka, type LocalKafka } from '../../../src/dev/infra/local-kafka.ts';
import { tickId, type Tick } from '../../../src/domain/tick.ts';
import { readTopic, type ReadMessage } from './fixtures/read-topic.ts';
import { streamBatch, streamTokens } from './fixtures/tick-stream.ts';
import { removeDir, startTestSink, tempDir, type TestSink } from './kafka-test-sink.ts';

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

const waitFor = async (what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};

interface Delivery {
  readonly unique: number;
  readonly duplicates: number;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  /** Ticks whose first copy came after a later tick of the same token. */
  readonly outOfOrder: readonly string[];
}

/**
 * What a consumer that drops repeated tick-ids sees: each partition in offset order (a token
 * lives in one partition), first copies only.
 */
const delivery = (messages: readonly ReadMessage[], expected: readonly Tick[]): Delivery => {
  const expectedIds = new Set(expected.map(tickId));
  const seen = new Set<string>();
  const lastSeq = new Map<string, number>();
  const outOfOrder: string[] = [];
  const unexpected: string[] = [];
  let duplicates = 0;
  for (const m of messages) {
    const id = m.headers['tick-id'] ?? '';
    if (seen.has(id)) {
      duplicates += 1;
      continue;
    }
    seen.add(id);
    if (!expectedIds.has(id)) unexpected.push(id);
    const previous = lastSeq.get(m.key);
    if (previous !== undefined && m.tick.seq <= previous) outOfOrder.push(`${id} after seq ${previous}`);
    lastSeq.set(m.key, m.tick.seq);
  }
  const missing = [...expectedIds].filter((id) => !seen.has(id));
  return {
    unique: seen.size,
    duplicates,
    missing: missing.slice(0, 20),
    unexpected: unexpected.slice(0, 20),
    outOfOrder: outOfOrder.slice(0, 20),
  };
};

describe('KafkaTickSink through broker outages and crashes', () => {
  let kafka: LocalKafka;
  let kafkaDir: string;
  const dirs: string[] = [];
  const dir = (prefix: string): string => {
    const d = tempDir(prefix);
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    kafkaDir = tempDir('kafka-faults-broker-');
    kafka = await startLocalKafka({ dir: kafkaDir });
  });

  afterAll(async () => {
    await kafka.stop();
    removeDir(kafkaDir);
    for (const d of dirs) removeDir(d);
  });

  it('delivers 100,000 ticks published across a 10-second broker outage, each token in order', async () => {
    const topic = `outage-${randomUUID()}`;
    const { sink, logger, metrics } = await startTestSink(kafka.broker, topic, dir('outage-journal-'));
    const tokens = streamTokens(50);
    const batches = 2000;
    const sent: Tick[] = [];
    const publishes: Promise<void>[] = [];
    let published = 0;
    // Feed-like: 50-tick frames at about 3,000 ticks a second, never waiting for the sink.
    const publisher = (async () => {
      for (let b = 0; b < batches; b++) {
        const batch = streamBatch(tokens, b);
        sent.push(...batch);
        publishes.push(sink.publish(batch));
        published += 1;
        if (b % 3 === 2) await sleep(50);
      }
    })();

    await waitFor('ticks before the outage', () => published >= 300);
    await kafka.stop();
    const atStop = published;
    await sleep(10_000);
    const beforeRestart = published;
    await kafka.start();
    await publisher;
    await Promise.all(publishes);
    await sink.flush();
    await sink.close();

    const messages = await readTopic(kafka.broker, topic);
    const result = delivery(messages, sent);
    console.log(
      `[outage] ${sent.length} ticks published (${atStop * 50} before the stop, ${(beforeRestart - atStop) * 50} while ` +
        `the broker was down): ${messages.length} messages in Kafka, ${result.duplicates} duplicates`,
    );
    expect(sent).toHaveLength(100_000);
    expect(beforeRestart).toBeGreaterThan(atStop);
    expect(result).toMatchObject({ unique: 100_000, missing: [], unexpected: [], outOfOrder: [] });
    expect(logger.records.map((r) => r.message)).toContain(
      'Kafka is slow or down: ticks go to the local journal until it catches up',
    );
    expect(logger.records.map((r) => r.message)).toContain(
      'Tick journal drained: publishing straight to Kafka again',
    );
    expect(metrics.value('sink_journal_bytes')).toBe(0);
    expect(metrics.value('sink_spilling')).toBe(0);
  }, 240_000);

  it('on @platformatic/kafka, resolves publishes through the journal while the broker is down, then delivers every tick in order', async () => {
    const topic = `plt-outage-${randomUUID()}`;
    const { sink, logger, metrics } = await startTestSink(kafka.broker, topic, dir('plt-outage-journal-'), {
      KAFKA_CLIENT: 'platformatic',
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

  it('keeps every tick accepted before a SIGKILL while the broker was down, and sends them before new ticks', async () => {
    const topic = `crash-${randomUUID()}`;
    const journalDir = dir('crash-journal-');
    const tokens = streamTokens(10);
    const script = fileURLToPath(new URL('./fixtures/crash-publisher.ts', import.meta.url));
    const child = spawn(process.execPath, [script, kafka.broker, topic, journalDir, String(tokens.length)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Set<number>();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('ok ')) acked.add(Number(line.slice(3)));
    });
    const outputEnded = new Promise<void>((resolve) => lines.once('close', resolve));

    await waitFor(`acknowledgements from the publisher (stderr: ${stderr})`, () => acked.size >= 300);
    await kafka.stop();
    const atStop = acked.size;
    await waitFor('ticks journalled while the broker is down', () => acked.size >= atStop + 500);
    child.kill('SIGKILL');
    await outputEnded;
    const accepted = [...acked].sort((a, b) => a - b);

    await kafka.start();
    const restarted: TestSink = await startTestSink(kafka.broker, topic, journalDir);
    const fresh = [streamBatch(tokens, 1_000_000), streamBatch(tokens, 1_000_001)];
    await Promise.all(fresh.map((b) => restarted.sink.publish(b)));
    await restarted.sink.flush();
    await restarted.sink.close();

    const messages = await readTopic(kafka.broker, topic);
    const expected = [...accepted.flatMap((b) => streamBatch(tokens, b)), ...fresh.flat()];
    const result = delivery(messages, expected);
    // Ticks published but not yet durable at the kill may be there too: they are not "unexpected" losses.
    console.log(
      `[crash] ${accepted.length * tokens.length} ticks acknowledged before the kill (${(accepted.length - atStop) * tokens.length} ` +
        `while the broker was down): ${messages.length} messages in Kafka, ${result.duplicates} duplicates`,
    );
    expect(result.missing).toEqual([]);
    expect(result.outOfOrder).toEqual([]);
    expect(restarted.logger.records.map((r) => r.message)).toContain(
      'Tick journal holds ticks from an earlier run: sending them before new ticks',
    );
  }, 240_000);

  it('resolves publishes through the journal while the broker hangs, without sending the stuck batch twice', async () => {
    const topic = `hung-${randomUUID()}`;
    const { sink, metrics } = await startTestSink(kafka.broker, topic, dir('hung-journal-'), {
      SINK_SPILL_AFTER_MS: '300',
      KAFKA_REQUEST_TIMEOUT_MS: '120000',
    });
    const tokens = streamTokens(5);
    const sent = [streamBatch(tokens, 0)];
    await sink.publish(sent[0] ?? []);
    const pid = kafka.pid() ?? 0;
    process.kill(pid, 'SIGSTOP');
    try {
      // The broker takes the connection's bytes but never answers: the send neither succeeds nor fails.
      for (let b = 1; b <= 20; b++) sent.push(streamBatch(tokens, b));
      const durable = Promise.all(sent.slice(1).map((batch) => sink.publish(batch)));
      const resolved = await Promise.race([durable.then(() => true), sleep(30_000).then(() => false)]);
      expect(resolved).toBe(true);
      expect(metrics.value('sink_spilling')).toBe(1);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await sink.flush();
    await sink.close();
    const result = delivery(await readTopic(kafka.broker, topic), sent.flat());
    expect(result).toMatchObject({ unique: 21 * tokens.length, missing: [], unexpected: [], outOfOrder: [] });
    // The stuck batch was journalled too, then went through (no send failed): its copy was skipped.
    expect(metrics.value('kafka_batches_total', { outcome: 'error' })).toBe(0);
    expect(result.duplicates).toBe(0);
  }, 240_000);

  it('on close with Kafka down, keeps what Kafka has not taken in the journal for the next start', async () => {
    const topic = `close-${randomUUID()}`;
    const journalDir = dir('close-journal-');
    const tokens = streamTokens(5);
    const { sink } = await startTestSink(kafka.broker, topic, journalDir, { SINK_CLOSE_TIMEOUT_MS: '500' });
    await kafka.stop();
    const sent = Array.from({ length: 30 }, (_, b) => streamBatch(tokens, b));
    const publishes = sent.map((batch) => sink.publish(batch));
    await sink.close();
    await Promise.all(publishes);
    await expect(sink.flush()).rejects.toThrow(/closed before every tick reached Kafka/);

    await kafka.start();
    const next = await startTestSink(kafka.broker, topic, journalDir);
    await next.sink.flush();
    await next.sink.close();
    const result = delivery(await readTopic(kafka.broker, topic), sent.flat());
    expect(result).toMatchObject({ unique: 30 * tokens.length, missing: [], outOfOrder: [] });
  }, 240_000);

  it('applies SINK_OVERFLOW_POLICY once Kafka is down and the journal is full', async () => {
    const tokens = streamTokens(20);
    const env = {
      SINK_JOURNAL_MAX_BYTES: '65536',
      SINK_JOURNAL_SEGMENT_BYTES: '16384',
      SINK_SPILL_AFTER_MS: '100',
    };
    const start = async (policy: string): Promise<TestSink & { topic: string }> => {
      const topic = `policy-${policy}-${randomUUID()}`;
      const started = await startTestSink(kafka.broker, topic, dir('policy-journal-'), {
        ...env,
        SINK_OVERFLOW_POLICY: policy,
      });
      return { ...started, topic };
    };
    const block = await start('block');
    const drop = await start('drop-newest');
    const fail = await start('fail');
    await kafka.stop();

    // fail: publishes resolve until the journal is full, then reject with JournalFull.
    const failAccepted: Tick[] = [];
    let refused: unknown;
    for (let b = 0; b < 1000 && refused === undefined; b++) {
      const batch = streamBatch(tokens, b);
      try {
        await fail.sink.publish(batch);
        failAccepted.push(...batch);
      } catch (e) {
        refused = e;
      }
    }
    expect(refused).toBeInstanceOf(JournalFull);

    // drop-newest: publishes resolve, and what no longer fits is counted as dropped.
    const dropSent: Tick[] = [];
    const dropped = (): number =>
      drop.metrics.value('sink_ticks_dropped_total', { reason: 'journal-full' }) ?? 0;
    for (let b = 0; b < 1000 && dropped() === 0; b++) {
      const batch = streamBatch(tokens, b);
      await drop.sink.publish(batch);
      dropSent.push(...batch);
    }
    for (let b = 1000; b < 1010; b++) {
      const batch = streamBatch(tokens, b);
      await drop.sink.publish(batch);
      dropSent.push(...batch);
    }
    expect(dropped()).toBeGreaterThanOrEqual(11 * tokens.length);

    // block: publishes resolve until the journal is full, then wait for room.
    const blockSent: Tick[] = [];
    let blocked: Promise<void> | undefined;
    for (let b = 0; b < 1000 && blocked === undefined; b++) {
      const batch = streamBatch(tokens, b);
      blockSent.push(...batch);
      const publish = block.sink.publish(batch);
      if (!(await Promise.race([publish.then(() => true), sleep(2000).then(() => false)]))) blocked = publish;
    }
    expect(blocked).toBeDefined();
    expect(block.metrics.value('sink_journal_bytes')).toBeGreaterThan(65536 - 2 * 20 * 400);

    await kafka.start();
    await blocked;
    for (const s of [block, drop, fail]) {
      await s.sink.flush();
      await s.sink.close();
    }

    const failResult = delivery(await readTopic(kafka.broker, fail.topic), failAccepted);
    expect(failResult).toMatchObject({
      unique: failAccepted.length,
      missing: [],
      unexpected: [],
      outOfOrder: [],
    });

    const dropResult = delivery(await readTopic(kafka.broker, drop.topic), dropSent);
    expect(dropResult).toMatchObject({ unexpected: [], outOfOrder: [] });
    expect(dropResult.unique).toBe(dropSent.length - dropped());

    const blockResult = delivery(await readTopic(kafka.broker, block.topic), blockSent);
    expect(blockResult).toMatchObject({ unique: blockSent.length, missing: [], outOfOrder: [] });
  }, 240_000);
});
