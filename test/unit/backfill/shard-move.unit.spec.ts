import { describe, expect, it } from 'vitest';
import { BackfillJob, type JobTarget } from '../../../src/app/backfill/backfill-job.ts';
import type { RunJob } from '../../../src/app/backfill/backfill-coordinator.ts';
import type { HandoffSettings } from '../../../src/app/backfill/shard-handoff.ts';
import { resolveRequest } from '../../../src/app/backfill/plan-request.ts';
import { MemoryCommandBus } from '../../../src/adapters/memory/memory-command-bus.ts';
import type { PlanId } from '../../../src/domain/backfill-plan-types.ts';
import {
  FIVE_DAYS,
  JOB_SETTINGS,
  NIFTY,
  RELIANCE,
  TCS,
  candlesFor,
  coordinatorOf,
  jobDepsOf,
  loadMinuteBars,
  makeHarness,
  membership,
  nse,
  realJobs,
  type Harness,
} from './backfill-fixtures.ts';

const settle = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

const planOf = (target: JobTarget): PlanId => (target.kind === 'new' ? target.request.planId : target.planId);

/** Real jobs over the harness, each target kept. */
const recordedJobs = (h: Harness) => {
  const targets: JobTarget[] = [];
  const runJob: RunJob = (target, signal) => {
    targets.push(target);
    return realJobs(h)(target, signal);
  };
  return { targets, runJob };
};

/** A member of a cluster over the harness's (shared) event log; its shards are the test's to hand out. */
const memberOf = (
  h: Harness,
  runJob: RunJob,
  onStart: 'auto' | 'never',
  handoff: HandoffSettings = { waitMs: 2000, pollMs: 10 },
) => {
  const shards = membership();
  const c = coordinatorOf(
    h,
    runJob,
    { onStart },
    { owned: shards.owned, bus: new MemoryCommandBus(), handoff },
  );
  return { shards, c };
};

/** Each answer of the broker takes `ms`: a job lasts long enough to be caught mid-way. */
const slowBroker = (h: Harness, ms: number): void => {
  const answer = h.historical.candles.bind(h.historical);
  h.historical.candles = async (request, signal) => {
    await settle(ms);
    return answer(request, signal);
  };
};

/** A member of a new harness (slow broker, real jobs) owning NIFTY's shard and RELIANCE's. */
const niftyAndReliance = (onStart: 'auto' | 'never', [nifty, reliance]: readonly [number, number]) => {
  const h = makeHarness();
  loadMinuteBars(h, [NIFTY, RELIANCE]);
  slowBroker(h, 25);
  const jobs = recordedJobs(h);
  const { shards, c } = memberOf(h, jobs.runJob, onStart);
  shards.assignShards([
    { shard: nifty, tokens: [NIFTY] },
    { shard: reliance, tokens: [RELIANCE] },
  ]);
  return { h, jobs, c };
};

/** Shard 1's index when its start-up part for RELIANCE (5 days) was handed on, not begun. */
const RELIANCE_HANDED_ON = {
  planId: undefined,
  released: true,
  pending: [{ id: null, tokens: [RELIANCE], interval: 'minute', days: 5, origin: 'start' }],
};

/** No bar published twice, and every bar of these instruments published. */
const publishedOnce = (h: Harness, tokens: readonly (typeof NIFTY)[]): void => {
  const keys = h.ticks().map((t) => `${t.token}@${t.exchangeTime}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).toHaveLength(candlesFor(tokens, FIVE_DAYS).length);
};

describe('BackfillCoordinator in a cluster: a shard lost', () => {
  it('stops its running plan (left running and released), drops its queued part, and runs the next shard’s', async () => {
    const h = makeHarness();
    loadMinuteBars(h, [NIFTY, RELIANCE, TCS]);
    slowBroker(h, 25);
    const jobs = recordedJobs(h);
    const { shards, c } = memberOf(h, jobs.runJob, 'auto'); // Saturday: the start-up backfill runs
    shards.assignShards([
      { shard: 0, tokens: [NIFTY] },
      { shard: 1, tokens: [RELIANCE] },
      { shard: 2, tokens: [TCS] },
    ]);
    await c.start();
    await settle();
    const first = c.current;
    expect(first).toBeDefined();
    expect(await h.store.shardPlan(0)).toEqual({ planId: first, released: false, pending: [] });

    await c.releaseShards([0, 1]);
    // Resolved once the job stopped and the shard's index says so: the group may hand it on.
    expect((await h.store.load(first!)).state.status).toBe('running');
    expect(await h.store.shardPlan(0)).toEqual({ planId: first, released: true, pending: [] });
    // Shard 1's part had not begun: handed to the shard's next owner.
    expect(await h.store.shardPlan(1)).toEqual(RELIANCE_HANDED_ON);
    await c.idle();
    // Shard 1's part never ran here; shard 2's did, to the end.
    expect(jobs.targets.map((t) => (t.kind === 'new' ? t.request.tokens : t.planId))).toEqual([
      [NIFTY],
      [TCS],
    ]);
    expect(h.historical.requests.some((r) => r.token === RELIANCE)).toBe(false);
    const second = planOf(jobs.targets[1]!);
    expect((await h.store.load(second)).state.status).toBe('completed');
    expect(h.logger.lines()).toContain(
      '[INFO] Shards lost: their backfills not begun are handed to their next owner',
    );
    await c.stop();

    // The next owner of shards 0 and 1 resumes the one and runs the other.
    const jobsB = recordedJobs(h);
    const b = memberOf(h, jobsB.runJob, 'never');
    b.shards.assignShards([
      { shard: 0, tokens: [NIFTY] },
      { shard: 1, tokens: [RELIANCE] },
    ]);
    await b.c.start();
    await b.c.idle();
    expect(jobsB.targets[0]).toEqual({ kind: 'resume', planId: first });
    expect(jobsB.targets[1]?.kind === 'new' ? jobsB.targets[1].request.tokens : undefined).toEqual([
      RELIANCE,
    ]);
    expect(jobsB.targets).toHaveLength(2);
    publishedOnce(h, [NIFTY, RELIANCE, TCS]);
    await b.c.stop();
  });

  it('hands on a command’s part for a shard lost while the part waited', async () => {
    const { h, jobs, c } = niftyAndReliance('never', [3, 4]);
    await c.start();
    const outcome = await c.requestCommand({ type: 'StartBackfill', id: 'op-9' });
    expect(outcome).toEqual({ kind: 'started', planId: 'op-9-s3' });
    await c.releaseShards([4]);
    await c.idle();
    expect(jobs.targets.map(planOf)).toEqual(['op-9-s3']);
    expect(await h.store.shardPlan(4)).toEqual({
      planId: undefined,
      released: true,
      pending: [{ id: 'op-9-s4', tokens: [RELIANCE], interval: 'minute', days: 5, origin: 'command' }],
    });
    await c.stop();
  });
});

describe('BackfillCoordinator in a cluster: a member stopping', () => {
  it('lets go of its running plan and hands on its queued parts: its shards go to others', async () => {
    const { h, c } = niftyAndReliance('auto', [0, 1]);
    await c.start();
    await settle();
    const first = c.current;
    expect(await h.store.shardPlan(1)).toEqual({ planId: undefined, released: false, pending: [] });
    await c.stop();
    expect((await h.store.load(first!)).state.status).toBe('running');
    expect(await h.store.shardPlan(0)).toEqual({ planId: first, released: true, pending: [] });
    expect(await h.store.shardPlan(1)).toEqual(RELIANCE_HANDED_ON);
  });
});

describe('BackfillCoordinator in a cluster: a shard gained', () => {
  it('takes over a running plan and a part not begun, only once the previous owner let go, publishing no bar twice', async () => {
    const h = makeHarness(); // one event log shared by both members, as with EVENT_LOG=kafka
    loadMinuteBars(h, [RELIANCE, TCS]);
    slowBroker(h, 25);
    const [jobsA, jobsB] = [recordedJobs(h), recordedJobs(h)];
    const a = memberOf(h, jobsA.runJob, 'auto');
    const b = memberOf(h, jobsB.runJob, 'never');
    a.shards.assignShards([
      { shard: 5, tokens: [RELIANCE] },
      { shard: 8, tokens: [TCS] },
    ]);
    b.shards.assignShards([{ shard: 6, tokens: [NIFTY] }]);
    await a.c.start();
    await b.c.start();
    await settle();
    const planId = a.c.current;
    expect(planId).toBeDefined();

    // The group hands shards 5 and 8 to B while A still works on 5 with 8 queued (both members
    // hear the assignment at once): B waits.
    b.c.adoptShards([5, 8]);
    await settle(60);
    expect(jobsB.targets).toEqual([]);
    expect(a.c.current).toBe(planId);

    await a.c.releaseShards([5, 8]);
    const atMove = (await h.store.load(planId!)).state;
    if (atMove.status !== 'running') throw new Error(`plan ${planId} is ${atMove.status}, not running`);
    // Fetched but not published: the chunk files are on the old owner's disk.
    const elsewhere = atMove.progress.filter((p) => p.status === 'fetched').length;
    await b.c.idle();
    expect(jobsB.targets[0]).toEqual({ kind: 'resume', planId });
    const handed = jobsB.targets[1];
    expect(handed?.kind === 'new' ? handed.request.tokens : handed).toEqual([TCS]);
    expect(jobsB.targets).toHaveLength(2);
    for (const id of [planId!, planOf(handed!)])
      expect((await h.store.load(id)).state.status).toBe('completed');
    expect(h.logger.lines()).toContain(
      '[INFO] Resuming the backfill plan of a shard taken over from another member',
    );
    publishedOnce(h, [RELIANCE, TCS]);
    // Each chunk fetched once, but for one the old owner had in hand at the move: in its fetch
    // stage (the answer not recorded), or fetched and not published (its file on the old owner's
    // disk; shared in this harness, so not fetched again here).
    const fetches = (token: typeof TCS): number =>
      h.historical.requests.filter((r) => r.token === token).length;
    expect(fetches(RELIANCE)).toBeGreaterThanOrEqual(atMove.plan.chunks.length);
    expect(fetches(RELIANCE)).toBeLessThanOrEqual(atMove.plan.chunks.length + elsewhere + 1);
    const tcsPlan = (await h.store.load(planOf(handed!))).state;
    expect(fetches(TCS)).toBe(tcsPlan.status === 'completed' ? tcsPlan.plan.chunks.length : -1);
    expect(jobsA.targets).toHaveLength(1);
    await Promise.all([a.c.stop(), b.c.stop()]);
  });

  it('resumes a plan whose owner died without letting go once the wait is over; nothing for a finished plan', async () => {
    const h = makeHarness();
    loadMinuteBars(h, [NIFTY]);
    slowBroker(h, 25);
    // A member died mid-plan: the plan is running, the shard's index never says it let go.
    const resolved = resolveRequest(
      { tokens: [NIFTY], interval: 'minute', span: { kind: 'days', days: 5 } },
      nse,
      h.clock.now(),
    );
    const died = new AbortController();
    const dying = new BackfillJob(jobDepsOf(h), JOB_SETTINGS, { kind: 'new', request: resolved }).run({
      signal: died.signal,
    });
    await settle();
    died.abort();
    await dying;
    expect((await h.store.load(resolved.planId)).state.status).toBe('running');
    await h.store.markShardPlan(7, resolved.planId, h.clock.now());

    const jobs = recordedJobs(h);
    const { shards, c } = memberOf(h, jobs.runJob, 'never', { waitMs: 200, pollMs: 10 });
    shards.assignShards([{ shard: 7, tokens: [NIFTY] }]);
    await c.start(); // the first assignment's shards are looked at too
    await settle(60);
    expect(jobs.targets).toEqual([]);
    await c.idle();
    expect(jobs.targets).toEqual([{ kind: 'resume', planId: resolved.planId }]);
    expect((await h.store.load(resolved.planId)).state.status).toBe('completed');
    publishedOnce(h, [NIFTY]);

    // Gained again later: its plan finished, nothing to resume.
    c.adoptShards([7]);
    await c.idle();
    expect(jobs.targets).toHaveLength(1);
    await c.stop();
  });
});
