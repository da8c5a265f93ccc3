import { describe, expect, it } from 'vitest';
import { MemoryCommandBus } from '../../../src/adapters/memory/memory-command-bus.ts';
import type { CoordinatorSettings, RunJob } from '../../../src/app/backfill/backfill-coordinator.ts';
import type { JobTarget } from '../../../src/app/backfill/backfill-job.ts';
import {
  splitByShard,
  type OwnedInstruments,
  type OwnedShard,
} from '../../../src/app/backfill/owned-instruments.ts';
import { instrumentToken, type InstrumentToken } from '../../../src/domain/instrument.ts';
import {
  COORDINATOR_SETTINGS,
  FIVE_DAYS,
  NIFTY,
  RELIANCE,
  TCS,
  candlesFor,
  coordinatorOf,
  heldJobs,
  membership,
  loadMinuteBars,
  makeHarness,
  realJobs,
  type Harness,
} from './backfill-fixtures.ts';

const memberOf = (
  h: Harness,
  runJob: RunJob,
  owned: OwnedInstruments,
  settings: Partial<CoordinatorSettings> = {},
  bus = new MemoryCommandBus(),
) => coordinatorOf(h, runJob, settings, { owned, bus });

/** A started member with held jobs that has not been assigned anything yet. */
const startedMember = async () => {
  const h = makeHarness();
  const jobs = heldJobs();
  const member = membership();
  const c = memberOf(h, jobs.runJob, member.owned);
  await c.start(); // does not wait for the group
  return { h, jobs, member, c };
};

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

/** Runs jobs with `run`, keeping each target in `targets`. */
const recording =
  (run: RunJob, targets: JobTarget[]): RunJob =>
  (target, signal) => {
    targets.push(target);
    return run(target, signal);
  };

const tokensOf = (target: JobTarget | undefined): readonly InstrumentToken[] | undefined =>
  target?.kind === 'new' ? target.request.tokens : undefined;

const planOf = (target: JobTarget | undefined): string | undefined =>
  target === undefined ? undefined : target.kind === 'new' ? target.request.planId : target.planId;

describe('BackfillCoordinator in a cluster: the start-up backfill', () => {
  it('waits for the first assignment, then backfills only the instruments owned', async () => {
    const { jobs, member, c } = await startedMember();
    await settle();
    expect(jobs.targets).toEqual([]);

    member.assign([TCS, NIFTY]);
    await settle();
    expect(jobs.targets).toHaveLength(1);
    expect(tokensOf(jobs.targets[0])).toEqual([TCS, NIFTY].sort((a, b) => Number(a) - Number(b)));
    expect(planOf(jobs.targets[0])).toMatch(/^minute-2026-11-16_2026-11-20-2t-/);
    jobs.finish();
    await c.idle();
    await c.stop();
  });

  it('plans nothing, and says why, when the member owns none of the instruments', async () => {
    const { h, jobs, member, c } = await startedMember();
    member.assign([]);
    await c.idle();
    expect(jobs.targets).toEqual([]);
    expect(h.logger.lines()).toContain(
      '[INFO] This cluster member owns none of the instruments to backfill: nothing planned',
    );
    await c.stop();
  });

  it('stops while still waiting for the group, planning nothing', async () => {
    const { jobs, member, c } = await startedMember();
    await c.stop();
    member.assign([NIFTY]);
    await settle();
    expect(jobs.targets).toEqual([]);
  });

  it('after a restart, resumes its shard’s unfinished plan, publishing no bar twice; another shard’s is left', async () => {
    const h = makeHarness();
    loadMinuteBars(h, COORDINATOR_SETTINGS.defaultTokens);
    const member = membership();
    member.assign([RELIANCE, TCS]);
    const first = memberOf(h, realJobs(h), member.owned);
    await first.start();
    await settle();
    const planId = first.current;
    expect(planId).toMatch(/-2t-/);
    await first.stop();
    expect((await h.store.load(planId!)).state.status).toBe('running');
    // The stopped member let go of the shard's plan: its next owner need not wait.
    expect(await h.store.shardPlan(0)).toEqual({ planId, released: true, pending: [] });

    // Same shard: its plan resumed (found both by the shard's index and by the start-up request).
    const targets: JobTarget[] = [];
    const again = memberOf(h, recording(realJobs(h), targets), member.owned);
    await again.start();
    await again.idle();
    expect(targets).toEqual([{ kind: 'resume', planId }]);
    expect((await h.store.load(planId!)).state.status).toBe('completed');
    expect(h.ticks()).toHaveLength(candlesFor([RELIANCE, TCS], FIVE_DAYS).length);
    expect(new Set(h.ticks().map((t) => `${t.token}@${t.exchangeTime}`)).size).toBe(h.ticks().length);
    await again.stop();

    // Another shard: the old plan (another member's, in a shared log) is left; a plan of its own.
    const other = heldJobs();
    const moved = membership();
    moved.assignShards([{ shard: 1, tokens: [NIFTY] }]);
    const elsewhere = memberOf(h, other.runJob, moved.owned);
    await elsewhere.start();
    await settle();
    expect(other.targets).toHaveLength(1);
    expect(tokensOf(other.targets[0])).toEqual([NIFTY]);
    other.finish();
    await elsewhere.idle();
    await elsewhere.stop();
  });
});

describe('BackfillCoordinator in a cluster: START_BACKFILL', () => {
  it('each member plans the instruments it owns when the command arrives, under its own plan id', async () => {
    const h = makeHarness(); // one store: the members' plans side by side, as in a shared event log
    const bus = new MemoryCommandBus();
    const [jobsA, jobsB] = [heldJobs(), heldJobs()];
    const [a, b] = [membership(), membership()];
    const memberA = memberOf(h, jobsA.runJob, a.owned, { onStart: 'never' }, bus);
    const memberB = memberOf(h, jobsB.runJob, b.owned, { onStart: 'never' }, bus);
    await memberA.start();
    await memberB.start();
    a.assignShards([{ shard: 0, tokens: [NIFTY] }]);
    b.assignShards([{ shard: 1, tokens: [RELIANCE] }]);
    // A rebalance before the command: B owns TCS's shard too by the time it plans.
    b.assignShards([
      { shard: 2, tokens: [TCS] },
      { shard: 1, tokens: [RELIANCE] },
    ]);

    const [outA, outB] = await Promise.all([
      memberA.requestCommand({ type: 'StartBackfill', id: 'op-7' }),
      memberB.requestCommand({ type: 'StartBackfill', id: 'op-7' }),
    ]);
    await settle();
    expect(outA).toEqual({ kind: 'started', planId: 'op-7-s0' });
    expect(outB).toEqual({ kind: 'started', planId: 'op-7-s1' });
    expect(tokensOf(jobsA.targets[0])).toEqual([NIFTY]);
    // One plan per shard, in shard order: B's second waits behind its first, not refused as busy.
    expect(jobsB.targets.map(planOf)).toEqual(['op-7-s1']);
    expect(tokensOf(jobsB.targets[0])).toEqual([RELIANCE]);
    jobsB.finish();
    await settle();
    expect(jobsB.targets.map(planOf)).toEqual(['op-7-s1', 'op-7-s2']);
    expect(tokensOf(jobsB.targets[1])).toEqual([TCS]);
    expect(h.metrics.value('system_commands_total', { outcome: 'started' })).toBe(2);
    jobsA.finish();
    jobsB.finish();
    await Promise.all([memberA.idle(), memberB.idle()]);
    await Promise.all([memberA.stop(), memberB.stop()]);
  });

  it('refuses, without a warning, a command for instruments the member does not own', async () => {
    const h = makeHarness();
    const jobs = heldJobs();
    const member = membership();
    const c = memberOf(h, jobs.runJob, member.owned, { onStart: 'never' });
    await c.start();
    member.assign([NIFTY]);
    const outcome = await c.requestCommand({ type: 'StartBackfill', tokens: [TCS] });
    expect(outcome).toEqual({
      kind: 'refused',
      reason: 'this cluster member owns none of the instruments asked for',
    });
    expect(jobs.targets).toEqual([]);
    expect(h.metrics.value('system_commands_total', { outcome: 'refused' })).toBe(1);
    expect(h.logger.lines().filter((l) => l.startsWith('[WARN]'))).toEqual([]);
    await c.stop();
  });
});

describe('splitByShard', () => {
  const owned: readonly OwnedShard[] = [
    { shard: 5, tokens: [TCS] },
    { shard: 2, tokens: [NIFTY, RELIANCE] },
    { shard: 7, tokens: [instrumentToken(1594)] },
  ];

  it('gives each owned shard the instruments of the request it holds, shards in order', () => {
    const parts = splitByShard(
      { tokens: [TCS, NIFTY], interval: 'minute', span: { kind: 'days', days: 1 } },
      owned,
    );
    expect(parts).toEqual([
      { shard: 2, request: { tokens: [NIFTY], interval: 'minute', span: { kind: 'days', days: 1 } } },
      { shard: 5, request: { tokens: [TCS], interval: 'minute', span: { kind: 'days', days: 1 } } },
    ]);
  });

  it('makes a given id the shard’s, the same on any member owning it; none when nothing is owned', () => {
    const given = {
      id: 'op-1',
      tokens: [NIFTY, TCS],
      interval: 'minute',
      span: { kind: 'days', days: 1 },
    } as const;
    expect(splitByShard(given, owned).map((p) => p.request.id)).toEqual(['op-1-s2', 'op-1-s5']);
    expect(splitByShard(given, [{ shard: 5, tokens: [TCS] }]).map((p) => p.request.id)).toEqual(['op-1-s5']);
    expect(splitByShard(given, [{ shard: 7, tokens: [instrumentToken(1594)] }])).toEqual([]);
  });
});
