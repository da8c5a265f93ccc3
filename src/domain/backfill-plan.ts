import { MAX_BARS_PER_REQUEST, planChunks, type ChunkId } from './backfill-plan-chunks.ts';
import {
  DEFAULT_MAX_ATTEMPTS,
  type ChunkProgress,
  type PlanCommand,
  type PlanEvent,
  type PlanId,
  type PlanRefusalReason,
  type PlanRefused,
  type PlanSpec,
  type PlanState,
  type RequestBackfill,
} from './backfill-plan-types.ts';
import type { EpochMs } from './units.ts';

/**
 * A backfill as an event-sourced decider: a plan of chunks (one historical request each), each
 * pending → fetched → published, or failed and tried again until `maxAttempts` failures, then
 * given up. The plan completes when every chunk is published or given up; the completion lists
 * the given-up chunks, so a partial backfill is visible rather than silent.
 *
 * Publishing a chunk twice is refused. A runner resuming a plan folds its stored events and works
 * only on the chunks that are not yet published: nothing published is fetched or sent again.
 */

export const initialState: PlanState = { status: 'idle' };

type Running = Extract<PlanState, { status: 'running' }>;

const refuse = (reason: PlanRefusalReason, detail: string): PlanRefused => ({
  type: 'Refused',
  reason,
  detail,
});

export const isRefused = (r: readonly PlanEvent[] | PlanRefused): r is PlanRefused => !Array.isArray(r);

const isWholeNumber = (n: number, min: number): boolean => Number.isSafeInteger(n) && n >= min;

const invalidRequest = (d: RequestBackfill['data']): string | undefined => {
  if (new Set(d.tokens).size !== d.tokens.length) return 'a token is listed twice';
  for (const [i, w] of d.days.entries()) {
    if (!(w.open < w.close)) return `session of ${w.day} closes before it opens`;
    const prev = i === 0 ? undefined : d.days[i - 1];
    if (prev !== undefined && !(prev.close <= w.open)) return `days out of order at ${w.day}`;
  }
  if (d.maxAttempts !== undefined && !isWholeNumber(d.maxAttempts, 1)) return 'maxAttempts must be >= 1';
  if (d.maxBarsPerChunk !== undefined && !isWholeNumber(d.maxBarsPerChunk, 1)) {
    return 'maxBarsPerChunk must be >= 1';
  }
  return undefined;
};

const requestBackfill = (d: RequestBackfill['data'], s: PlanState): readonly PlanEvent[] | PlanRefused => {
  switch (s.status) {
    case 'running':
      return refuse('PlanAlreadyRunning', `plan ${s.plan.planId} is running`);
    case 'completed':
    case 'cancelled':
      return refuse('PlanAlreadyFinished', `plan ${s.plan.planId} is ${s.status}`);
    case 'idle':
      break;
  }
  if (d.tokens.length === 0 || d.days.length === 0)
    return refuse('NothingToBackfill', 'no tokens or no days');
  const invalid = invalidRequest(d);
  if (invalid !== undefined) return refuse('InvalidRequest', invalid);
  const chunks = planChunks(d.tokens, d.days, d.interval, d.maxBarsPerChunk ?? MAX_BARS_PER_REQUEST);
  return [
    {
      type: 'BackfillRequested',
      data: {
        planId: d.planId,
        tokens: d.tokens,
        days: d.days.map((w) => w.day),
        interval: d.interval,
        chunks,
        maxAttempts: d.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        at: d.now,
      },
    },
  ];
};

/** The running plan a chunk command is about, or why there is none. */
const runningPlan = (s: PlanState, id: PlanId): Running | PlanRefused => {
  switch (s.status) {
    case 'idle':
      return refuse('PlanNotRunning', `plan ${id} was never requested`);
    case 'completed':
    case 'cancelled':
      return s.plan.planId === id
        ? refuse('PlanNotRunning', `plan ${id} is ${s.status}`)
        : refuse('WrongPlan', `this stream holds plan ${s.plan.planId}, not ${id}`);
    case 'running':
      return s.plan.planId === id
        ? s
        : refuse('WrongPlan', `this stream holds plan ${s.plan.planId}, not ${id}`);
  }
};

const isPlanRefused = (r: Running | PlanRefused): r is PlanRefused => 'type' in r;

const progressOf = (s: Running, id: ChunkId): ChunkProgress | undefined => {
  const i = s.plan.indexOf.get(id);
  return i === undefined ? undefined : s.progress[i];
};

/** Follows `event` with BackfillCompleted when it settles the last unsettled chunk. */
const withCompletion = (s: Running, event: PlanEvent, at: EpochMs): readonly PlanEvent[] => {
  const next = evolve(s, event);
  if (next.status !== 'running') return [event];
  let publishedChunks = 0;
  let publishedBars = 0;
  const givenUp: ChunkId[] = [];
  for (const [i, p] of next.progress.entries()) {
    if (p.status === 'published') {
      publishedChunks += 1;
      publishedBars += p.bars;
    } else if (p.status === 'given-up') {
      const chunk = next.plan.chunks[i];
      if (chunk !== undefined) givenUp.push(chunk.id);
    } else {
      return [event];
    }
  }
  const planId = s.plan.planId;
  return [
    event,
    { type: 'BackfillCompleted', data: { planId, publishedChunks, publishedBars, givenUp, at } },
  ];
};

type ChunkCommand = Exclude<PlanCommand, { type: 'RequestBackfill' | 'CancelBackfill' }>;

const decideChunk = (c: ChunkCommand, state: PlanState): readonly PlanEvent[] | PlanRefused => {
  const s = runningPlan(state, c.data.planId);
  if (isPlanRefused(s)) return s;
  const { planId, chunkId, now: at } = c.data;
  const progress = progressOf(s, chunkId);
  if (progress === undefined) return refuse('UnknownChunk', `plan ${planId} has no chunk ${chunkId}`);
  if (progress.status === 'published') return refuse('ChunkAlreadyPublished', `${chunkId} is published`);
  if (progress.status === 'given-up') return refuse('ChunkGivenUp', `${chunkId} was given up`);
  switch (c.type) {
    case 'RecordChunkFetched':
      if (!isWholeNumber(c.data.bars, 0)) return refuse('InvalidRequest', `bar count ${c.data.bars}`);
      // Fetching a fetched chunk again is how a resumed runner gets back the bars it lost.
      return [{ type: 'ChunkFetched', data: { planId, chunkId, bars: c.data.bars, at } }];
    case 'RecordChunkPublished':
      if (progress.status !== 'fetched') return refuse('ChunkNotFetched', `${chunkId} is ${progress.status}`);
      return withCompletion(
        s,
        { type: 'ChunkPublished', data: { planId, chunkId, bars: progress.bars, at } },
        at,
      );
    case 'RecordChunkFailed': {
      const attempt = progress.failures + 1;
      const givenUp = !c.data.retryable || attempt >= s.plan.maxAttempts;
      const { reason, retryable } = c.data;
      const event: PlanEvent = {
        type: 'ChunkFailed',
        data: { planId, chunkId, reason, retryable, attempt, givenUp, at },
      };
      return givenUp ? withCompletion(s, event, at) : [event];
    }
  }
};

export const decide = (command: PlanCommand, state: PlanState): readonly PlanEvent[] | PlanRefused => {
  switch (command.type) {
    case 'RequestBackfill':
      return requestBackfill(command.data, state);
    case 'RecordChunkFetched':
    case 'RecordChunkPublished':
    case 'RecordChunkFailed':
      return decideChunk(command, state);
    case 'CancelBackfill': {
      const s = runningPlan(state, command.data.planId);
      if (isPlanRefused(s)) return s;
      const { planId, reason, now } = command.data;
      return [{ type: 'BackfillCancelled', data: { planId, reason, at: now } }];
    }
  }
};

const updateChunk = (s: PlanState, id: ChunkId, update: (p: ChunkProgress) => ChunkProgress): PlanState => {
  if (s.status !== 'running') return s;
  const i = s.plan.indexOf.get(id);
  const current = i === undefined ? undefined : s.progress[i];
  if (i === undefined || current === undefined) return s;
  const progress = s.progress.slice();
  progress[i] = update(current);
  return { ...s, progress };
};

const newPlan = (d: Extract<PlanEvent, { type: 'BackfillRequested' }>['data']): PlanState => {
  const plan: PlanSpec = {
    planId: d.planId,
    tokens: d.tokens,
    days: d.days,
    interval: d.interval,
    chunks: d.chunks,
    maxAttempts: d.maxAttempts,
    requestedAt: d.at,
    indexOf: new Map(d.chunks.map((c, i) => [c.id, i])),
  };
  return { status: 'running', plan, progress: d.chunks.map(() => ({ status: 'pending', failures: 0 })) };
};

export const evolve = (s: PlanState, e: PlanEvent): PlanState => {
  switch (e.type) {
    case 'BackfillRequested':
      return s.status === 'idle' ? newPlan(e.data) : s;
    case 'ChunkFetched':
      return updateChunk(s, e.data.chunkId, (p) => ({
        status: 'fetched',
        failures: p.failures,
        bars: e.data.bars,
      }));
    case 'ChunkPublished':
      return updateChunk(s, e.data.chunkId, (p) => ({
        status: 'published',
        failures: p.failures,
        bars: e.data.bars,
      }));
    case 'ChunkFailed': {
      const { attempt: failures, reason: lastReason, givenUp } = e.data;
      return updateChunk(s, e.data.chunkId, () =>
        givenUp ? { status: 'given-up', failures, lastReason } : { status: 'failed', failures, lastReason },
      );
    }
    case 'BackfillCompleted':
      return s.status === 'running'
        ? { status: 'completed', plan: s.plan, progress: s.progress, completedAt: e.data.at }
        : s;
    case 'BackfillCancelled':
      return s.status === 'running'
        ? {
            status: 'cancelled',
            plan: s.plan,
            progress: s.progress,
            cancelledAt: e.data.at,
            reason: e.data.reason,
          }
        : s;
  }
};

export const backfillPlan = { decide, evolve, initialState };
