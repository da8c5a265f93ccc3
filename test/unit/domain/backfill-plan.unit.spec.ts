import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planChunks, type Chunk } from '../../../src/domain/backfill-plan-chunks.ts';
import {
  chunksToPublish,
  chunksToResume,
  foldPlan,
  givenUpChunks,
  pendingChunks,
  planProgress,
} from '../../../src/domain/backfill-plan-queries.ts';
import { backfillPlan, isRefused } from '../../../src/domain/backfill-plan.ts';
import { planId, type PlanCommand, type PlanEvent } from '../../../src/domain/backfill-plan-types.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { epochMs, type EpochMs } from '../../../src/domain/units.ts';
import { deciderSpec } from '../../support/decider-spec.ts';

const ist = (s: string): EpochMs => epochMs(Date.parse(`${s.replace(' ', 'T')}+05:30`));
const nse = makeMarketSession();
const { given } = deciderSpec(backfillPlan);

const PLAN = planId('backfill-2025-06-09');
const OTHER = planId('backfill-other');
const RELIANCE = instrumentToken(2885);
const TCS = instrumentToken(11536);
const now = ist('2025-06-09 18:00:00');
const later = ist('2025-06-09 18:05:00');
const days = nse.previousTradingDays(now, 5).reverse().map(nse.sessionBounds);
const chunks = planChunks([RELIANCE], days, 'minute');
const [c0, c1, c2] = chunks as [Chunk, Chunk, Chunk];

const request = (
  over: Partial<Extract<PlanCommand, { type: 'RequestBackfill' }>['data']> = {},
): PlanCommand => ({
  type: 'RequestBackfill',
  data: { planId: PLAN, tokens: [RELIANCE], days, interval: 'minute', now, ...over },
});
const fetch = (c: Chunk, bars = c.bars, plan = PLAN): PlanCommand => ({
  type: 'RecordChunkFetched',
  data: { planId: plan, chunkId: c.id, bars, now: later },
});
const publish = (c: Chunk): PlanCommand => ({
  type: 'RecordChunkPublished',
  data: { planId: PLAN, chunkId: c.id, now: later },
});
const fail = (c: Chunk, retryable = true): PlanCommand => ({
  type: 'RecordChunkFailed',
  data: { planId: PLAN, chunkId: c.id, reason: 'RateLimited', retryable, now: later },
});
const cancel: PlanCommand = {
  type: 'CancelBackfill',
  data: { planId: PLAN, reason: 'operator', now: later },
};

const requested: PlanEvent = {
  type: 'BackfillRequested',
  data: {
    planId: PLAN,
    tokens: [RELIANCE],
    days: ['2025-06-03', '2025-06-04', '2025-06-05', '2025-06-06', '2025-06-09'].map((d) =>
      nse.tradingDay(d)!,
    ),
    interval: 'minute',
    chunks,
    maxAttempts: 3,
    at: now,
  },
};
const fetched = (c: Chunk, bars = c.bars): PlanEvent => ({
  type: 'ChunkFetched',
  data: { planId: PLAN, chunkId: c.id, bars, at: later },
});
const published = (c: Chunk, bars = c.bars): PlanEvent => ({
  type: 'ChunkPublished',
  data: { planId: PLAN, chunkId: c.id, bars, at: later },
});
const failed = (c: Chunk, attempt: number, givenUp: boolean, retryable = true): PlanEvent => ({
  type: 'ChunkFailed',
  data: { planId: PLAN, chunkId: c.id, reason: 'RateLimited', retryable, attempt, givenUp, at: later },
});
const done = (c: Chunk): PlanEvent[] => [fetched(c), published(c)];

describe('BackfillPlan: requesting', () => {
  it('plans the chunks and records them in the event', () => {
    given([]).when(request()).then([requested]);
  });

  it('takes the number of tries from the command', () => {
    const [e] = given([])
      .when(request({ maxAttempts: 5 }))
      .events();
    expect(e?.type === 'BackfillRequested' && e.data.maxAttempts).toBe(5);
  });

  it('refuses a second request while running, and once finished', () => {
    given([requested]).when(request()).thenRefuses('PlanAlreadyRunning');
    given([requested, { type: 'BackfillCancelled', data: { planId: PLAN, reason: 'x', at: later } }])
      .when(request())
      .thenRefuses('PlanAlreadyFinished');
  });

  it('refuses an empty or malformed request', () => {
    given([])
      .when(request({ tokens: [] }))
      .thenRefuses('NothingToBackfill');
    given([])
      .when(request({ days: [] }))
      .thenRefuses('NothingToBackfill');
    given([])
      .when(request({ tokens: [RELIANCE, TCS, RELIANCE] }))
      .thenRefuses('InvalidRequest');
    given([])
      .when(request({ days: [...days].reverse() }))
      .thenRefuses('InvalidRequest');
    given([])
      .when(request({ maxAttempts: 0 }))
      .thenRefuses('InvalidRequest');
    given([])
      .when(request({ maxBarsPerChunk: 0 }))
      .thenRefuses('InvalidRequest');
  });
});

describe('BackfillPlan: chunks', () => {
  it('records a fetch, then a publish', () => {
    given([requested])
      .when(fetch(c0, 749))
      .then([fetched(c0, 749)]);
    given([requested, fetched(c0, 749)])
      .when(publish(c0))
      .then([published(c0, 749)]);
  });

  it('refuses to publish a chunk not fetched', () => {
    given([requested]).when(publish(c0)).thenRefuses('ChunkNotFetched');
    given([requested, fetched(c0), failed(c0, 1, false)])
      .when(publish(c0))
      .thenRefuses('ChunkNotFetched');
  });

  it('refuses anything more on a published chunk: a plan never publishes twice', () => {
    const history = [requested, ...done(c0)];
    given(history).when(publish(c0)).thenRefuses('ChunkAlreadyPublished');
    given(history).when(fetch(c0)).thenRefuses('ChunkAlreadyPublished');
    given(history).when(fail(c0)).thenRefuses('ChunkAlreadyPublished');
  });

  it('refuses unknown chunks, other plans and plans not running', () => {
    const stranger = planChunks([TCS], days, 'minute')[0]!;
    given([requested]).when(fetch(stranger)).thenRefuses('UnknownChunk');
    given([requested])
      .when(fetch(c0, c0.bars, OTHER))
      .thenRefuses('WrongPlan');
    given([]).when(fetch(c0)).thenRefuses('PlanNotRunning');
    given([requested]).when(fetch(c0, -1)).thenRefuses('InvalidRequest');
  });

  it('completes with the publish of the last chunk', () => {
    given([requested, ...done(c0), ...done(c1), fetched(c2)])
      .when(publish(c2))
      .then([
        published(c2),
        {
          type: 'BackfillCompleted',
          data: { planId: PLAN, publishedChunks: 3, publishedBars: 1875, givenUp: [], at: later },
        },
      ]);
  });

  it('does not complete while a chunk is still open', () => {
    given([requested, ...done(c0), fetched(c2)])
      .when(publish(c2))
      .then([published(c2)]);
  });
});

describe('BackfillPlan: failures', () => {
  it('counts failed tries and puts the chunk back to be fetched', () => {
    const s = given([requested, failed(c0, 1, false)])
      .when(fail(c0))
      .state();
    expect(
      given([requested, failed(c0, 1, false)])
        .when(fail(c0))
        .events(),
    ).toEqual([failed(c0, 2, false)]);
    expect(pendingChunks(s).map((c) => c.id)).toEqual([c0.id, c1.id, c2.id]);
    expect(s.status === 'running' && s.progress[0]).toEqual({
      status: 'failed',
      failures: 2,
      lastReason: 'RateLimited',
    });
  });

  it('gives a chunk up at the last try, and completes listing it', () => {
    const history = [requested, ...done(c0), ...done(c1), failed(c2, 1, false), failed(c2, 2, false)];
    const result = given(history).when(fail(c2));
    result.then([
      failed(c2, 3, true),
      {
        type: 'BackfillCompleted',
        data: { planId: PLAN, publishedChunks: 2, publishedBars: 1500, givenUp: [c2.id], at: later },
      },
    ]);
    expect(result.state().status).toBe('completed');
    expect(givenUpChunks(result.state())).toEqual([c2]);
  });

  it('gives up at once when a retry cannot help', () => {
    given([requested])
      .when(fail(c1, false))
      .then([failed(c1, 1, true, false)]);
    given([requested, failed(c1, 1, true, false)])
      .when(fetch(c1))
      .thenRefuses('ChunkGivenUp');
  });
});

describe('BackfillPlan: cancelling', () => {
  it('cancels a running plan, after which chunks are refused', () => {
    const cancelled: PlanEvent = {
      type: 'BackfillCancelled',
      data: { planId: PLAN, reason: 'operator', at: later },
    };
    given([requested, fetched(c0)])
      .when(cancel)
      .then([cancelled]);
    given([requested, cancelled]).when(fetch(c0)).thenRefuses('PlanNotRunning');
    given([requested, cancelled]).when(cancel).thenRefuses('PlanNotRunning');
    expect(pendingChunks(foldPlan([requested, cancelled]))).toEqual([]);
  });

  it('refuses to cancel a plan never requested', () => {
    given([]).when(cancel).thenRefuses('PlanNotRunning');
  });
});

describe('BackfillPlan: resuming from stored events', () => {
  const stored = [requested, ...done(c0), fetched(c1)];
  const state = foldPlan(stored);

  it('works only on what is not published', () => {
    expect(chunksToResume(state)).toEqual([c1, c2]);
    expect(pendingChunks(state)).toEqual([c2]);
    expect(chunksToPublish(state)).toEqual([c1]);
    expect(planProgress(state)).toEqual({
      total: 3,
      pending: 1,
      failed: 0,
      fetched: 1,
      published: 1,
      givenUp: 0,
      publishedBars: 750,
    });
  });

  it('fetches again a chunk fetched before the stop, whose bars were lost', () => {
    given(stored)
      .when(fetch(c1))
      .then([fetched(c1)]);
  });

  it('refuses to fetch or publish again what was published before the stop', () => {
    given(stored).when(fetch(c0)).thenRefuses('ChunkAlreadyPublished');
    given(stored).when(publish(c0)).thenRefuses('ChunkAlreadyPublished');
  });

  it('a runner that crashes at random publishes every chunk at most once and always completes', () => {
    const tokens = [RELIANCE, TCS, instrumentToken(1594)];
    const plan = backfillPlan.decide(request({ tokens, maxAttempts: 4 }), backfillPlan.initialState);
    if (isRefused(plan)) throw new Error(plan.detail);
    fc.assert(
      fc.property(fc.array(fc.nat(99), { minLength: 1, maxLength: 300 }), (dice) => {
        const log: PlanEvent[] = [...plan];
        let held = new Set<string>(); // chunks whose bars this runner holds in memory
        const roll = (i: number) => dice[i % dice.length]!;
        for (let i = 0; i < 10_000; i += 1) {
          const s = foldPlan(log);
          if (s.status !== 'running') break;
          const r = i < dice.length ? roll(i) : 50; // after the dice run out: no more faults
          if (r < 8) {
            held = new Set(); // a crash: only the stored events survive
            continue;
          }
          const publishable = chunksToPublish(s).find((c) => held.has(c.id));
          const todo = chunksToResume(s).filter((c) => !held.has(c.id));
          const c = publishable ?? todo[r % Math.max(1, todo.length)];
          if (c === undefined) {
            held = new Set();
            continue;
          }
          const command = r < 20 ? fail(c, r !== 10) : publishable !== undefined ? publish(c) : fetch(c);
          const result = backfillPlan.decide(command, s);
          if (isRefused(result)) throw new Error(`${command.type} refused: ${result.reason}`);
          if (command.type === 'RecordChunkFetched') held.add(c.id);
          else held.delete(c.id);
          log.push(...result);
        }
        const end = foldPlan(log);
        expect(end.status).toBe('completed');
        const publishes = log.filter((e) => e.type === 'ChunkPublished').map((e) => e.data.chunkId);
        expect(new Set(publishes).size).toBe(publishes.length);
        const progress = planProgress(end);
        expect(progress.published + progress.givenUp).toBe(progress.total);
        expect(log.filter((e) => e.type === 'BackfillCompleted')).toHaveLength(1);
        expect(log.at(-1)?.type).toBe('BackfillCompleted');
      }),
    );
  });
});
