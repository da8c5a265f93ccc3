import * as t from 'io-ts';
import type { PlanEvent } from '../../../domain/backfill-plan-types.ts';
import type { PlanId } from '../../../domain/backfill-plan-types.ts';
import type { EpochMs } from '../../../domain/units.ts';
import {
  ChunkC,
  ChunkIdC,
  CountC,
  EpochMsC,
  IntervalC,
  PlanIdC,
  TokenC,
  TradingDayC,
} from '../../wire-codecs.ts';

/** How plan events are stored in the event log: as they are, every field checked on the way back. */
export const PlanEventC: t.Type<PlanEvent, unknown> = t.union([
  t.type({
    type: t.literal('BackfillRequested'),
    data: t.type({
      planId: PlanIdC,
      tokens: t.readonlyArray(TokenC),
      days: t.readonlyArray(TradingDayC),
      interval: IntervalC,
      chunks: t.readonlyArray(ChunkC),
      maxAttempts: CountC,
      at: EpochMsC,
    }),
  }),
  t.type({
    type: t.literal('ChunkFetched'),
    data: t.type({ planId: PlanIdC, chunkId: ChunkIdC, bars: CountC, at: EpochMsC }),
  }),
  t.type({
    type: t.literal('ChunkPublished'),
    data: t.type({ planId: PlanIdC, chunkId: ChunkIdC, bars: CountC, at: EpochMsC }),
  }),
  t.type({
    type: t.literal('ChunkFailed'),
    data: t.type({
      planId: PlanIdC,
      chunkId: ChunkIdC,
      reason: t.string,
      retryable: t.boolean,
      attempt: CountC,
      givenUp: t.boolean,
      at: EpochMsC,
    }),
  }),
  t.type({
    type: t.literal('BackfillCompleted'),
    data: t.type({
      planId: PlanIdC,
      publishedChunks: CountC,
      publishedBars: CountC,
      givenUp: t.readonlyArray(ChunkIdC),
      at: EpochMsC,
    }),
  }),
  t.type({
    type: t.literal('BackfillCancelled'),
    data: t.type({ planId: PlanIdC, reason: t.string, at: EpochMsC }),
  }),
]);

/**
 * The index of plans: one event per job start, so a restarted service finds the plan it was
 * working on without being told (the newest entry wins).
 */
export interface PlanStarted {
  readonly type: 'PlanStarted';
  readonly data: { readonly planId: PlanId; readonly at: EpochMs };
}

export const PlanStartedC: t.Type<PlanStarted, unknown> = t.type({
  type: t.literal('PlanStarted'),
  data: t.type({ planId: PlanIdC, at: EpochMsC }),
});

/** What the backfill keeps in the event log: plan events in plan streams, `PlanStarted` in the index. */
export type BackfillLogEvent = PlanEvent | PlanStarted;

export const BackfillLogEventC: t.Type<BackfillLogEvent, unknown> = t.union([PlanEventC, PlanStartedC]);
