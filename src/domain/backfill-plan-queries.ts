import type { Chunk } from './backfill-plan-chunks.ts';
import { evolve, initialState } from './backfill-plan.ts';
import type { ChunkStatus, PlanEvent, PlanState } from './backfill-plan-types.ts';

/** The state of a plan from its stored events: how a runner resumes. */
export const foldPlan = (events: Iterable<PlanEvent>): PlanState => {
  let state = initialState;
  for (const e of events) state = evolve(state, e);
  return state;
};

const chunksWhere = (s: PlanState, wanted: (status: ChunkStatus) => boolean): Chunk[] => {
  if (s.status !== 'running') return [];
  const out: Chunk[] = [];
  for (const [i, p] of s.progress.entries()) {
    const chunk = s.plan.chunks[i];
    if (chunk !== undefined && wanted(p.status)) out.push(chunk);
  }
  return out;
};

/** Chunks never fetched, or failed since and due another try, in plan order. */
export const pendingChunks = (s: PlanState): Chunk[] =>
  chunksWhere(s, (st) => st === 'pending' || st === 'failed');

/** Chunks fetched and not yet published. */
export const chunksToPublish = (s: PlanState): Chunk[] => chunksWhere(s, (st) => st === 'fetched');

/**
 * What a runner resuming a running plan must fetch: every chunk not yet published nor given up.
 * Fetched chunks are in it because their bars lived only in the memory of the runner that stopped.
 */
export const chunksToResume = (s: PlanState): Chunk[] =>
  chunksWhere(s, (st) => st === 'pending' || st === 'failed' || st === 'fetched');

export const givenUpChunks = (s: PlanState): Chunk[] => {
  if (s.status === 'idle') return [];
  return s.plan.chunks.filter((_, i) => s.progress[i]?.status === 'given-up');
};

export interface PlanProgress {
  readonly total: number;
  readonly pending: number;
  readonly failed: number;
  readonly fetched: number;
  readonly published: number;
  readonly givenUp: number;
  readonly publishedBars: number;
}

export const planProgress = (s: PlanState): PlanProgress => {
  const counts = { total: 0, pending: 0, failed: 0, fetched: 0, published: 0, givenUp: 0, publishedBars: 0 };
  if (s.status === 'idle') return counts;
  for (const p of s.progress) {
    counts.total += 1;
    switch (p.status) {
      case 'pending':
        counts.pending += 1;
        break;
      case 'failed':
        counts.failed += 1;
        break;
      case 'fetched':
        counts.fetched += 1;
        break;
      case 'published':
        counts.published += 1;
        counts.publishedBars += p.bars;
        break;
      case 'given-up':
        counts.givenUp += 1;
        break;
    }
  }
  return counts;
};
