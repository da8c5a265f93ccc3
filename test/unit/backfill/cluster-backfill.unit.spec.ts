import { describe, expect, it } from 'vitest';
import { MemoryCommandBus } from '../../../src/adapters/memory/memory-command-bus.ts';
import type { CoordinatorSettings, RunJob } from '../../../src/app/backfill/backfill-coordinator.ts';
import type { JobTarget } from '../../../src/app/backfill/backfill-job.ts';
import { narrowToOwned, type OwnedInstruments } from '../../../src/app/backfill/owned-instruments.ts';
import type { InstrumentToken } from '../../../src/domain/instrument.ts';
import {
  COORDINATOR_SETTINGS,
  NIFTY,
  RELIANCE,
  TCS,
  coordinatorOf,
  heldJobs,
  loadMinuteBars,
  makeHarness,
  realJobs,
  type Harness,
} from './backfill-fixtures.ts';

/** A cluster member's shards as the group hands them out: nothing until `assign`. */
const membership = () => {
  const first = Promise.withResolvers<undefined>();
  let now: readonly InstrumentToken[] = [];
  const owned: OwnedInstruments = {
    owned: async () => {
      await first.promise;
      return now;
    },
  };
  const assign = (tokens: readonly InstrumentToken[]): void => {
    now = tokens;
    first.resolve(undefined);
  };
  return { owned, assign };
};

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

  it('after a restart, resumes its own unfinished plan but not one for shards it no longer owns', async () => {
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

    // Same shards: the same plan id, resumed (nothing done is fetched again).
    const same = heldJobs();
    const again = memberOf(h, same.runJob, member.owned);
    await again.start();
    await settle();
    expect(same.targets).toEqual([{ kind: 'resume', planId }]);
    same.finish();
    await again.idle();
    await again.stop();

    // Other shards: the old plan (maybe another member's, in a shared log) is left; a plan of its own.
    const other = heldJobs();
    const moved = membership();
    moved.assign([NIFTY]);
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
    a.assign([NIFTY]);
    b.assign([RELIANCE]);
    // A rebalance before the command: B owns TCS too by the time it plans.
    b.assign([RELIANCE, TCS]);

    const [outA, outB] = await Promise.all([
      memberA.requestCommand({ type: 'StartBackfill', id: 'op-7' }),
      memberB.requestCommand({ type: 'StartBackfill', id: 'op-7' }),
    ]);
    expect(outA.kind).toBe('started');
    expect(outB.kind).toBe('started');
    expect(tokensOf(jobsA.targets[0])).toEqual([NIFTY]);
    expect(tokensOf(jobsB.targets[0])).toEqual([RELIANCE, TCS].sort((x, y) => Number(x) - Number(y)));
    const [planA, planB] = [planOf(jobsA.targets[0]), planOf(jobsB.targets[0])];
    expect(planA).toMatch(/^op-7-1t-[0-9a-f]{12}$/);
    expect(planB).toMatch(/^op-7-2t-[0-9a-f]{12}$/);
    expect(planA).not.toBe(planB);
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

describe('narrowToOwned', () => {
  it('keeps a derived id (it already depends on the instruments) and marks a given one with the set', () => {
    const derived = narrowToOwned(
      { tokens: [NIFTY, TCS, RELIANCE], interval: 'minute', span: { kind: 'days', days: 1 } },
      [TCS, NIFTY],
    );
    expect(derived).toEqual({ tokens: [NIFTY, TCS], interval: 'minute', span: { kind: 'days', days: 1 } });
    const given = {
      id: 'op-1',
      tokens: [NIFTY, TCS],
      interval: 'minute',
      span: { kind: 'days', days: 1 },
    } as const;
    const one = narrowToOwned(given, [TCS, NIFTY]);
    const sameSet = narrowToOwned(given, [NIFTY, TCS, RELIANCE]);
    const otherSet = narrowToOwned(given, [NIFTY]);
    expect(one?.id).toBe(sameSet?.id);
    expect(one?.id).not.toBe(otherSet?.id);
    expect(narrowToOwned(given, [RELIANCE])).toBeUndefined();
  });
});
