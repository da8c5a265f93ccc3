import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { LivePipeline } from '../../../src/app/root/live-pipeline.ts';
import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { readGapRecords } from '../../support/campaign-topics.ts';
import { runTopicsEnv, startClockedPipeline } from '../../support/clocked-pipeline.ts';
import { readTopicWithKcat } from '../../support/kcat.ts';
import { expectTopicMatchesSchema } from '../../support/topic-schema-check.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { startScript, type ServiceProcess } from '../../support/service-process.ts';
import { eventually, everyTokenOnce, openConnections } from './cluster-bed.ts';

const MEMBER = fileURLToPath(new URL('./fixtures/clocked-member.ts', import.meta.url));
const SESSION_TIMEOUT_MS = 6000;
const ist = (s: string): number => Date.parse(`${s.replace(' ', 'T')}+05:30`);
/** A Thursday, a trading day; the members start minutes before its close. */
const START = ist('2026-11-19 15:28:00');
const CLOSE = ist('2026-11-19 15:30:00');
/** When the broker's minute bars of the day are final, so the gap ledger fills its gaps. */
const NIGHT = ist('2026-11-19 16:15:30');

const metricOf = async (url: string, name: string): Promise<number | undefined> => {
  const body = await (await fetch(`${url}/metrics`).catch(() => undefined))?.text();
  const m = body === undefined ? null : new RegExp(`^${name} (\\d+)`, 'm').exec(body);
  return m === null ? undefined : Number(m[1]);
};

describe('a failover gap is filled after the close like any gap', () => {
  let sim: RunningSimulator | undefined;
  let killed: ServiceProcess | undefined;
  let survivor: LivePipeline | undefined;
  afterEach(async () => {
    killed?.child.kill('SIGKILL');
    await survivor?.stop();
    await sim?.close();
  });

  it('a member SIGKILLed minutes before the close: the survivor records a failover gap per instrument it took over, and once the bars are final backfills each and closes it', async () => {
    // One market clock for the simulator and both members, moved on to the night by the test.
    let offset = START - Date.now();
    const now = (): number => Date.now() + offset;
    const s = (sim = await startSimulator({ port: 0, rate: 200, alwaysOpen: true, clock: now }));
    const ns = randomUUID().slice(0, 8);
    const run = runTopicsEnv(ns, simulatorEnv(s), {
      kafkaBroker: inject('kafkaBroker'),
      redisUrl: inject('redisUrl'),
    });
    const { topics } = run;
    const env = {
      ...run.env,
      CLUSTER_GROUP: `tickflow-fill-${ns}`,
      CLUSTER_TOPIC: `fill-shards-${ns}`,
      CLUSTER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      LOG_FORMAT: 'human',
    };
    const doomed = (killed = startScript(MEMBER, [], {
      ...env,
      MEMBER_CLOCK_OFFSET_MS: String(offset),
      METRICS_PORT: String(await freePort()),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-fill-a-')),
    }));
    await doomed.waitForLine(/Connected to MStock WebSocket/, 60_000);

    const survivorEnv = { ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-fill-b-')) };
    const started = await startClockedPipeline(survivorEnv, now);
    const b = (survivor = started.pipeline);
    const { logger } = started;
    const said = (): string => `--- killed member\n${doomed.output().slice(-2000)}`;

    // Shared: two connections, every instrument on exactly one; then the shard checkpoints (1 s) written.
    const shared = await eventually(async () => {
      const c = await openConnections(s);
      return (
        c.length === 2 &&
        everyTokenOnce(c) &&
        ((await metricOf(b.telemetryUrl, 'cluster_shards_owned')) ?? 0) > 0
      );
    }, Date.now() + 60_000);
    expect(shared, said()).toBe(true);
    await new Promise((r) => setTimeout(r, 3000));
    const before = await openConnections(s);
    doomed.child.kill('SIGKILL');
    await doomed.exited();
    const tookOver = await eventually(
      async () => {
        const c = await openConnections(s);
        return c.length === 1 && everyTokenOnce(c);
      },
      Date.now() + SESSION_TIMEOUT_MS + 15_000,
    );
    expect(tookOver, said()).toBe(true);
    const surviving = new Set((await openConnections(s)).map((c) => c.id));
    const killedTokens = before
      .filter((c) => !surviving.has(c.id))
      .flatMap((c) => c.tokens)
      .map(String)
      .sort();
    expect(killedTokens.length, said()).toBeGreaterThan(0);

    const opened = await eventually(
      async () => ((await metricOf(b.telemetryUrl, 'gaps_opened_total')) ?? 0) >= killedTokens.length,
      Date.now() + 15_000,
    );
    expect(opened, logger.lines().slice(-30).join('\n')).toBe(true);
    // The gaps lie inside the session: a fill is owed for each.
    expect(now()).toBeLessThan(CLOSE);

    // On to the night: the day's bars are final and the ledger fills its gaps.
    offset += NIGHT - now();
    const closed = await eventually(
      async () => (await metricOf(b.telemetryUrl, 'gaps_open')) === 0,
      Date.now() + 120_000,
    );
    expect(closed, logger.lines().slice(-30).join('\n')).toBe(true);
    // Gaps due together with the same minutes are one backfill, not one per instrument: the
    // failover's gaps span at most two minute boundaries, so at most four distinct spans.
    const plans = logger.records.filter((r) => r.message === 'Backfill plan started');
    expect(plans.length).toBeGreaterThanOrEqual(1);
    expect(plans.length).toBeLessThanOrEqual(4);
    // Stopped, so the topics stop growing and can be read to their end.
    await b.stop();
    survivor = undefined;

    const records = await readGapRecords(inject('kafkaBroker'), topics.gaps);
    const failovers = records.filter((r) => r.event === 'FeedGapOpened' && r.cause === 'failover');
    expect(failovers.map((g) => g.token).sort()).toEqual(killedTokens);
    const filledMinutes = new Map<string, number[]>();
    for (const gap of failovers) {
      const life = records.filter((r) => r.gapId === gap.gapId);
      expect(life.at(-1), gap.token).toMatchObject({ event: 'GapFilled', how: 'backfilled' });
      const filled = life.at(-1);
      expect(filled?.received, gap.token).toBe(filled?.expected);
      expect(filled?.received ?? 0, gap.token).toBeGreaterThanOrEqual(1);
      const firstMinute = gap.from - (gap.from % 60_000);
      filledMinutes.set(gap.token, [firstMinute]);
    }
    // The backfill put each taken-over instrument's bar of the gap's first minute on the tick topic.
    const backfilled = new Set(
      (await readTopicWithKcat(inject('kafkaBroker'), topics.ticks))
        .map((m) => JSON.parse(m.value) as { id: string; source: string })
        .filter((t) => t.source === 'backfill')
        .map((t) => t.id),
    );
    for (const [token, [minute]] of filledMinutes)
      expect(backfilled.has(`${token}:${String(minute)}:0:b`), token).toBe(true);
    // What both members wrote, a member killed and a gap filled included, as the published schemas have it.
    const broker = inject('kafkaBroker');
    await expectTopicMatchesSchema(broker, topics.ticks, 'ticks');
    await expectTopicMatchesSchema(broker, topics.gaps, 'gaps');
    // The minutes before the close were turned into bars by both members.
    expect((await expectTopicMatchesSchema(broker, topics.candles, 'candles')).length).toBeGreaterThan(0);
  }, 420_000);
});
