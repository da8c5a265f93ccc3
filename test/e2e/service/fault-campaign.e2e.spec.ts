import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { startLocalKafka, type LocalKafka } from '../../../src/dev/infra/local-kafka.ts';
import { packagedInstrumentFile } from '../../../src/adapters/instruments/packaged-instrument-file.ts';
import { loadInstrumentFile, type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import {
  isRunning,
  metricValue,
  packetsWhenClosed,
  serviceState,
  startCampaignService,
  waitForFeedConnection,
  waitForMetric,
  waitForZeroOrAbsent,
  type CampaignService,
} from '../../support/campaign-service.ts';
import { readGapRecords, readPublishedTicks } from '../../support/campaign-topics.ts';
import { readTopicWithKcat } from '../../support/kcat.ts';
import { expectTopicMatchesSchema } from '../../support/topic-schema-check.ts';
import { consumeTopicOnce } from '../consumer/consumer-process.ts';
import { startFeedRecorder, type FeedRecorder } from '../../support/feed-recorder.ts';
import { judgeCampaign, type CampaignRun, type GapRecord } from '../../support/fault-campaign-oracle.ts';

const ROUNDS = 3;
const TICKS_PER_SECOND = 1000;
/** The old start gave up after this; each restart below outlives it with Kafka still down. */
const STARTUP_TIMEOUT_MS = 5000;
const FSYNC_MS = 10;
/**
 * What a SIGKILL may take: ticks not yet fsync'd (a group waits at most SINK_JOURNAL_FSYNC_MS,
 * then its fsync), plus those still between the simulator's send and the journal (one pump's
 * frame on the wire, decoding, the pipeline's stages). The second part has no setting; 1 s is
 * ten pump intervals, room for a loaded two-core machine, and far below a round's length.
 */
const LOSS_WINDOW_MS = FSYNC_MS + 1000;

const countBy = (values: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
};

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

describe('fault campaign: broker outages, SIGKILLs while journaling, restarts without Kafka', () => {
  const dirs: string[] = [];
  const services: CampaignService[] = [];
  let kafka: LocalKafka | undefined;
  let sim: RunningSimulator | undefined;
  let recorder: FeedRecorder | undefined;
  const tempDir = (prefix: string): string => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    // A broker of the test's own, stopped and started on the same port with its log kept, so the
    // oracle reads everything every run published.
    kafka = await startLocalKafka({ dir: tempDir('fault-campaign-kafka-'), heapMb: 512 });
    sim = await startSimulator({ port: 0, rate: TICKS_PER_SECOND, alwaysOpen: true });
  });

  afterAll(async () => {
    for (const s of services) if (isRunning(s)) s.process.child.kill('SIGKILL');
    await recorder?.close();
    await sim?.close();
    await kafka?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('loses no accepted tick, keeps each token in order, repeats only by tick-id, and records each crash as a gap', async () => {
    if (kafka === undefined || sim === undefined)
      throw new Error('beforeAll did not start the broker and simulator');
    const broker = kafka;
    const simulator = sim;
    // Equities only: their cumulative volume tells every tick apart (the index's is always 0).
    const tokens = (await loadInstrumentFile(packagedInstrumentFile()))
      .filter((i) => i.kind === 'equity')
      .map((i) => i.token);
    const feed = await startFeedRecorder(simulator, tokens, 'full');
    recorder = feed;
    const dataDir = tempDir('fault-campaign-data-');
    const envFor = async (): Promise<Record<string, string>> => ({
      ...simulatorEnv(simulator),
      KAFKA_BROKER: broker.broker,
      REDIS_URL: inject('redisUrl'),
      INSTRUMENTS: tokens.join(','),
      DATA_DIR: dataDir,
      METRICS_PORT: String(await freePort()),
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'human',
      LOG_LEVEL: 'info',
      BACKFILL_ON_START: 'never',
      RECONCILE_AFTER_CLOSE: 'false',
      // KAFKA_REQUIRED_AT_START stays at its default (false), as an operator meets it.
      KAFKA_STARTUP_TIMEOUT_MS: String(STARTUP_TIMEOUT_MS),
      SINK_JOURNAL_FSYNC_MS: String(FSYNC_MS),
    });
    const known = new Set<number>([feed.clientId]);
    const runs: CampaignRun[] = [];
    const launch = async (run: number) => {
      const service = startCampaignService(run, await envFor());
      services.push(service);
      const connection = await waitForFeedConnection(simulator, service, feed.clientId, known, 60_000);
      known.add(connection.clientId);
      return { service, connection };
    };

    let current = await launch(1);
    await waitForMetric(current.service, 'ticks_published_total', (v) => v > 0, 'run 1 to publish', 60_000);
    await sleep(2000);

    for (let round = 1; round <= ROUNDS; round++) {
      const { service, connection } = current;
      await broker.stop();
      await waitForMetric(service, 'sink_spilling', (v) => v === 1, `run ${round} to journal`, 30_000);
      await sleep(1500);
      expect(await metricValue(service, 'sink_journal_bytes'), `run ${round}'s journal`).toBeGreaterThan(0);
      const killedAt = Date.now();
      service.process.child.kill('SIGKILL');
      await service.process.exited();
      const packets = await packetsWhenClosed(simulator, connection.clientId, 10_000);
      runs.push({ run: round, firstPacket: connection.firstPacket, packets, killedAt });
      await sleep(1000);

      // Restarted with the broker still down, for longer than the old start would have waited.
      current = await launch(round + 1);
      const restarted = current.service;
      await sleep(Math.max(0, restarted.startedAt + STARTUP_TIMEOUT_MS + 3000 - Date.now()));
      expect(isRunning(restarted), `a start without Kafka must not give up: ${serviceState(restarted)}`).toBe(
        true,
      );
      expect(
        await metricValue(restarted, 'sink_journal_bytes'),
        `run ${round + 1} journals while Kafka is down`,
      ).toBeGreaterThan(0);
      await broker.start();
      await waitForMetric(
        restarted,
        'sink_journal_bytes',
        (v) => v === 0,
        `run ${round + 1} to drain its journal once Kafka is back`,
        120_000,
      );
      await sleep(1000);
    }

    const last = current;
    // The crash gaps went to the gap topic's own journal while Kafka was down: let them reach it.
    await waitForZeroOrAbsent(last.service, 'control_records_pending{topic="market_gaps"}', 60_000);
    last.service.process.child.kill('SIGTERM');
    expect(await last.service.process.exited(), serviceState(last.service)).toBe(0);
    const lastPackets = await packetsWhenClosed(simulator, last.connection.clientId, 10_000);
    runs.push({
      run: ROUNDS + 1,
      firstPacket: last.connection.firstPacket,
      packets: lastPackets,
      killedAt: undefined,
    });

    // Every packet the simulator sent the recorder has been read, so its sequence is complete.
    const stats = simulator.stats();
    const recorderSent = stats.clients.find((c) => c.id === feed.clientId)?.packetsSent ?? -1;
    const deadline = Date.now() + 10_000;
    while (feed.ticks.length < recorderSent && Date.now() < deadline) await sleep(50);
    expect(feed.ticks.length).toBeGreaterThanOrEqual(recorderSent);
    expect(feed.malformed()).toBe(0);
    // One connection per run, and none lost frames to back-pressure: the index arithmetic holds.
    expect(stats.clients.filter((c) => c.id !== feed.clientId).map((c) => c.id)).toEqual(
      [...known].filter((id) => id !== feed.clientId),
    );
    expect(stats.clients.map((c) => c.framesDroppedForBackpressure)).toEqual(stats.clients.map(() => 0));

    const published = await readPublishedTicks(broker.broker, 'market_ticks');
    let gapReadError = '';
    const gaps = await readGapRecords(broker.broker, 'market_gaps').catch((e: unknown): GapRecord[] => {
      gapReadError = e instanceof Error ? e.message : String(e);
      return [];
    });
    const verdict = judgeCampaign(feed.ticks, runs, published, gaps, LOSS_WINDOW_MS);
    // Ticks the screen held back are on the quarantine topic, not lost: said beside a loss, to tell them apart.
    const quarantined = await readTopicWithKcat(broker.broker, 'market_ticks_quarantine')
      .then((ms) => countBy(ms.map((m) => String((JSON.parse(m.value) as { reason?: unknown }).reason))))
      .catch((e: unknown) => ({ unreadable: String(e) }));
    console.log(
      `[fault-campaign] simulator sent ${feed.ticks.length} ticks, ${verdict.notReceived} while no run was ` +
        `connected; Kafka holds ${verdict.messages} messages (${verdict.repeats} repeats); per run: ` +
        verdict.runs.map((r) => `#${r.run} sent ${r.sent}, lost ${r.lost} (bound ${r.mayLose})`).join('; ') +
        `; gap records by cause: ${JSON.stringify(countBy(gaps.map((g) => `${g.event}/${g.cause}`)))}` +
        (gapReadError === '' ? '' : `; gap topic unreadable: ${gapReadError}`) +
        `; quarantined by reason: ${JSON.stringify(quarantined)}`,
    );

    expect(runs).toHaveLength(ROUNDS + 1);
    expect(verdict.runs.every((r) => r.delivered > 0)).toBe(true);
    expect(verdict.lossBeyondBound, 'ticks lost beyond what a SIGKILL can take').toEqual([]);
    expect(verdict.unknownTicks, 'ticks in Kafka the simulator did not send to a run').toEqual([]);
    expect(verdict.reordered, 'ticks reordered within a token').toEqual([]);
    expect(verdict.repeatsWithOtherId, 'repeats under another tick-id').toEqual([]);
    expect(verdict.crashGaps, 'one process-down gap per crash and token, covering the downtime').toEqual([]);
    // What the journals held through the outages reached Kafka as the published schemas have it.
    await expectTopicMatchesSchema(broker.broker, 'market_ticks', 'ticks');
    await expectTopicMatchesSchema(broker.broker, 'market_gaps', 'gaps');
    // The example consumer after the outages: each tick once, whatever the journals sent again.
    const distinct = new Set(published.map((m) => m.tickId));
    const consumed = await consumeTopicOnce(broker.broker, 'market_ticks', 60_000);
    expect(consumed.exitCode).toBe(0);
    expect(consumed.delivered).toHaveLength(distinct.size);
    expect(new Set(consumed.delivered.map((t) => t.id))).toEqual(distinct);
    expect(consumed.stopped).toMatchObject([{ delivered: distinct.size, repeatsDropped: verdict.repeats }]);
  }, 480_000);
});
