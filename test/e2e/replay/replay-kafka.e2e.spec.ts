import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { systemClock } from '../../../src/adapters/system/system-clock.ts';
import { either as E } from 'fp-ts';
import { MemoryRecordPublisher } from '../../../src/adapters/memory/memory-record-publisher.ts';
import { decodeServiceConfig } from '../../../src/app/root/config/service-config.ts';
import { FeedIngestion } from '../../../src/app/live/ingest-feed.ts';
import { TickScreen } from '../../../src/app/trust/tick-screen.ts';
import { validationRulesOf } from '../../../src/app/root/config/validation-rules.ts';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { readTopic, type ReadMessage } from '../../int/kafka/fixtures/read-topic.ts';
import { readTopicWithKcat } from '../../support/kcat.ts';
import { expectTopicMatchesSchema } from '../../support/topic-schema-check.ts';
import { startTestSink } from '../../int/kafka/kafka-test-sink.ts';
import { recordedAdapters } from '../../int/replay/recorded-simulator.ts';
import { runCli } from '../../int/replay/run-cli.ts';

const TOKENS = ['26000', '2885', '11536', '1594', '1333', '4963', '3045', '1660'].map((t) =>
  instrumentToken(t),
);
const dir = mkdtempSync(join(tmpdir(), 'tickflow-replay-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Until `check` holds; the test's own timeout is the limit. */
const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
};

/** What a consumer sees of each message, partition by partition, in offset order. */
const published = (messages: readonly ReadMessage[]) =>
  messages.map((m) => ({ partition: m.partition, key: m.key, value: m.value, headers: m.headers }));

describe('record and replay, end to end: simulator → live with recording → Kafka; recording → replay → Kafka', () => {
  it('replays into Kafka twice with identical keys and values, equal to what the live run published', async () => {
    const broker = inject('kafkaBroker');
    const id = randomUUID().slice(0, 8);
    const topics = { live: `replay-live-${id}`, first: `replay-a-${id}`, second: `replay-b-${id}` };

    // The live run: the real m.Stock client on the simulator, recording on, through the ingest loop into Kafka.
    const sim = await startSimulator({ port: 0, rate: 3000, alwaysOpen: true, pumpIntervalMs: 10 });
    const recordings = join(dir, 'recordings');
    // Stamped as `live` stamps the default list (config/nifty50.csv, all NSE), which the replay reads too.
    const { feed, recording, session } = recordedAdapters(sim, recordings, { exchangeOf: () => 'NSE' });
    const live = await startTestSink(broker, topics.live, join(dir, 'journal-live'));
    // Live screens its ticks as the service does, with the settings' rules (the replay reads the same).
    const config = decodeServiceConfig({}, 'replay');
    if (E.isLeft(config)) throw new Error(config.left.join('; '));
    const quarantine = new MemoryRecordPublisher();
    const screen = new TickScreen(
      {
        quarantine,
        session: makeMarketSession(),
        logger: new MemoryLogger('error'),
        metrics: new MemoryMetrics(),
      },
      { tokens: TOKENS, rules: validationRulesOf(config.right.app) },
    );
    const ingestion = new FeedIngestion(
      {
        feed,
        sink: live.sink,
        logger: new MemoryLogger('warn'),
        metrics: new MemoryMetrics(),
        clock: systemClock,
      },
      { maxInFlight: 64, screen: (ticks, receivedAt) => screen.screen(ticks, receivedAt) },
    );
    const abort = new AbortController();
    const running = ingestion.run({ tokens: TOKENS, mode: 'full' }, abort.signal);
    try {
      await until(() => ingestion.snapshot().ticksReceived >= 800);
      sim.faults.emitOutOfBand(2885, 4);
      await until(() => ingestion.snapshot().ticksQuarantined >= 4);
      sim.faults.sendMalformedFrames('zero-length', 3);
      sim.faults.dropConnections();
      await until(() => ingestion.snapshot().reconnects >= 1 && ingestion.snapshot().ticksReceived >= 2000);
    } finally {
      abort.abort();
      await running;
      await live.sink.close();
      session.close();
      await sim.close();
    }
    const recorded = await recording.close();
    const status = ingestion.snapshot();
    expect(status.ticksRejected).toBe(0);
    expect(status.gaps).toHaveLength(1);
    expect(status.ticksQuarantined).toBe(4);
    expect(recorded.lostFrames).toBe(0);

    // Two replays of the recording, as an operator runs them, into two more topics (the second paced).
    const env = { KAFKA_BROKER: broker, KAFKA_TOPIC_PARTITIONS: '3', DATA_DIR: join(dir, 'data') };
    for (const [topic, extra] of [
      [topics.first, []],
      [topics.second, ['--speed', '8']],
    ] as const) {
      const run = await runCli(['replay', recordings, '--sink', 'kafka', '--topic', topic, ...extra], env);
      expect(run.stderr).toContain(
        `${status.ticksReceived} ticks; ${status.ticksAccepted} accepted by Kafka topic ${topic}, 0 refused, 4 quarantined`,
      );
      expect(run.code).toBe(0);
    }

    const [liveTopic, first, second] = await Promise.all(
      [topics.live, topics.first, topics.second].map((t) => readTopic(broker, t)),
    );
    expect(liveTopic).toHaveLength(status.ticksAccepted);
    expect(published(first ?? [])).toEqual(published(second ?? []));
    expect(published(first ?? [])).toEqual(published(liveTopic ?? []));
    // What live quarantined, each replay quarantined too, beside its own topic; none reached the ticks.
    const liveQuarantined = quarantine.values().map((v) => (v as { tick: { id: string } }).tick.id);
    expect(liveQuarantined).toHaveLength(4);
    for (const topic of [topics.first, topics.second]) {
      const q = await readTopicWithKcat(broker, `${topic}_quarantine`);
      expect(q.map((m) => (JSON.parse(m.value) as { tick: { id: string } }).tick.id).sort()).toEqual(
        [...liveQuarantined].sort(),
      );
    }
    const replayedIds = new Set((first ?? []).map((m) => (JSON.parse(m.value) as { id: string }).id));
    expect(liveQuarantined.filter((id) => replayedIds.has(id))).toEqual([]);
    // Every token made it, under its own key, with the live source as published.
    expect(new Set((liveTopic ?? []).map((m) => m.key))).toEqual(new Set(TOKENS));
    expect((first ?? []).every((m) => m.headers['source'] === 'live')).toBe(true);

    // The wire format as a consumer reads it (kcat), against the published schemas.
    for (const topic of [topics.live, topics.first]) await expectTopicMatchesSchema(broker, topic, 'ticks');
    await expectTopicMatchesSchema(broker, `${topics.first}_quarantine`, 'quarantine');
  });
});
