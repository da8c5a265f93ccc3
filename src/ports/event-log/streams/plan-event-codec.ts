import * as t from 'io-ts';
import type { PlanEvent } from '../../../domain/backfill-plan-types.ts';
import type { PlanId } from '../../../domain/backfill-plan-types.ts';
import type { EpochMs } from '../../../domain/units.ts';
import type { CandleInterval } from '../../../domain/candle.ts';
import type { InstrumentToken } from '../../../domain/instrument.ts';
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

/**
 * A start-up or command backfill of a shard that had not begun when the shard moved: handed to its
 * next owner in the release, so the instruments are still backfilled (`id` null: derived).
 */
export interface HandedRequest {
  readonly id: string | null;
  readonly tokens: readonly InstrumentToken[];
  readonly interval: CandleInterval;
  readonly days: number;
  readonly origin: 'start' | 'command';
}

export const HandedRequestC: t.Type<HandedRequest, unknown> = t.type({
  id: t.union([t.string, t.null]),
  tokens: t.readonlyArray(TokenC),
  interval: IntervalC,
  days: CountC,
  origin: t.keyof({ start: null, command: null }),
});

/**
 * In a shard's index (cluster): its owner let go of the shard (it moved, or the member stopped
 * or its job ended): the plan it worked on, if any (which may still be `running`, for the next
 * owner to resume), and the backfills it had queued for the shard and not begun.
 */
export interface ShardReleased {
  readonly type: 'ShardReleased';
  readonly data: {
    readonly planId: PlanId | null;
    readonly pending: readonly HandedRequest[];
    readonly at: EpochMs;
  };
}

export const ShardReleasedC: t.Type<ShardReleased, unknown> = t.type({
  type: t.literal('ShardReleased'),
  data: t.type({
    planId: t.union([PlanIdC, t.null]),
    pending: t.readonlyArray(HandedRequestC),
    at: EpochMsC,
  }),
});

/**
 * In a shard's index (cluster): its owner queued a backfill of the shard, not begun yet; a next
 * owner waits for the release that hands it on. `planId`: the plan the index named before.
 */
export interface ShardQueued {
  readonly type: 'ShardQueued';
  readonly data: { readonly planId: PlanId | null; readonly at: EpochMs };
}

export const ShardQueuedC: t.Type<ShardQueued, unknown> = t.type({
  type: t.literal('ShardQueued'),
  data: t.type({ planId: t.union([PlanIdC, t.null]), at: EpochMsC }),
});

/** An entry of a plan index: the plan-wide one (`PlanStarted` only), or a shard's. */
export type PlanIndexEvent = PlanStarted | ShardQueued | ShardReleased;

/** What the backfill keeps in the event log: plan events in plan streams, index entries in the indexes. */
export type BackfillLogEvent = PlanEvent | PlanIndexEvent;

export const BackfillLogEventC: t.Type<BackfillLogEvent, unknown> = t.union([
  PlanEventC,
  PlanStartedC,
  ShardQueuedC,
  ShardReleasedC,
]);
