import type { CandleInterval } from './candle.ts';
import type { Chunk, ChunkId } from './backfill-plan-chunks.ts';
import type { InstrumentToken } from './instrument.ts';
import type { SessionWindow, TradingDay } from './market-session.ts';
import type { Brand, EpochMs } from './units.ts';

export type PlanId = Brand<string, 'PlanId'>;
export const planId = (s: string): PlanId => s as PlanId;

/** Tries per chunk when the command names none. */
export const DEFAULT_MAX_ATTEMPTS = 3;

// Commands: what a runner asks. Time arrives as data (`now`); the decider reads no clock.

export interface RequestBackfill {
  readonly type: 'RequestBackfill';
  readonly data: {
    readonly planId: PlanId;
    readonly tokens: readonly InstrumentToken[];
    /** Consecutive trading days, oldest first, with their session bounds (`MarketSession.sessionBounds`). */
    readonly days: readonly SessionWindow[];
    readonly interval: CandleInterval;
    /** Failed tries after which a chunk is given up; DEFAULT_MAX_ATTEMPTS when absent. */
    readonly maxAttempts?: number;
    /** The broker's cap per request; MAX_BARS_PER_REQUEST when absent. */
    readonly maxBarsPerChunk?: number;
    readonly now: EpochMs;
  };
}

export interface RecordChunkFetched {
  readonly type: 'RecordChunkFetched';
  /** `bars` counts the candles received; the candles themselves stay with the runner. */
  readonly data: {
    readonly planId: PlanId;
    readonly chunkId: ChunkId;
    readonly bars: number;
    readonly now: EpochMs;
  };
}

export interface RecordChunkPublished {
  readonly type: 'RecordChunkPublished';
  readonly data: { readonly planId: PlanId; readonly chunkId: ChunkId; readonly now: EpochMs };
}

export interface RecordChunkFailed {
  readonly type: 'RecordChunkFailed';
  readonly data: {
    readonly planId: PlanId;
    readonly chunkId: ChunkId;
    readonly reason: string;
    /** False when trying again cannot help (an unknown token): the chunk is given up at once. */
    readonly retryable: boolean;
    readonly now: EpochMs;
  };
}

export interface CancelBackfill {
  readonly type: 'CancelBackfill';
  readonly data: { readonly planId: PlanId; readonly reason: string; readonly now: EpochMs };
}

export type PlanCommand =
  RequestBackfill | RecordChunkFetched | RecordChunkPublished | RecordChunkFailed | CancelBackfill;

// Events: what happened. BackfillRequested carries the whole chunk list, so folding a stored plan
// needs neither the calendar nor the chunking rules of the version that planned it.

export type PlanEvent =
  | {
      readonly type: 'BackfillRequested';
      readonly data: {
        readonly planId: PlanId;
        readonly tokens: readonly InstrumentToken[];
        readonly days: readonly TradingDay[];
        readonly interval: CandleInterval;
        readonly chunks: readonly Chunk[];
        readonly maxAttempts: number;
        readonly at: EpochMs;
      };
    }
  | {
      readonly type: 'ChunkFetched';
      readonly data: {
        readonly planId: PlanId;
        readonly chunkId: ChunkId;
        readonly bars: number;
        readonly at: EpochMs;
      };
    }
  | {
      readonly type: 'ChunkPublished';
      readonly data: {
        readonly planId: PlanId;
        readonly chunkId: ChunkId;
        readonly bars: number;
        readonly at: EpochMs;
      };
    }
  | {
      readonly type: 'ChunkFailed';
      readonly data: {
        readonly planId: PlanId;
        readonly chunkId: ChunkId;
        readonly reason: string;
        readonly retryable: boolean;
        /** Failed tries of this chunk so far, this one included. */
        readonly attempt: number;
        /** No more tries: the chunk is left out of the plan's result. */
        readonly givenUp: boolean;
        readonly at: EpochMs;
      };
    }
  | {
      readonly type: 'BackfillCompleted';
      readonly data: {
        readonly planId: PlanId;
        readonly publishedChunks: number;
        readonly publishedBars: number;
        readonly givenUp: readonly ChunkId[];
        readonly at: EpochMs;
      };
    }
  | {
      readonly type: 'BackfillCancelled';
      readonly data: { readonly planId: PlanId; readonly reason: string; readonly at: EpochMs };
    };

export type PlanEventType = PlanEvent['type'];

export type PlanRefusalReason =
  | 'PlanAlreadyRunning'
  | 'PlanAlreadyFinished'
  | 'PlanNotRunning'
  | 'WrongPlan'
  | 'NothingToBackfill'
  | 'InvalidRequest'
  | 'UnknownChunk'
  | 'ChunkNotFetched'
  | 'ChunkAlreadyPublished'
  | 'ChunkGivenUp';

/** A command the plan's state does not allow. A value, not a throw: refusals are expected. */
export interface PlanRefused {
  readonly type: 'Refused';
  readonly reason: PlanRefusalReason;
  readonly detail: string;
}

// State: a union on `status`, folded from the events.

export type ChunkProgress =
  | { readonly status: 'pending'; readonly failures: number }
  | { readonly status: 'failed'; readonly failures: number; readonly lastReason: string }
  | { readonly status: 'fetched'; readonly failures: number; readonly bars: number }
  | { readonly status: 'published'; readonly failures: number; readonly bars: number }
  | { readonly status: 'given-up'; readonly failures: number; readonly lastReason: string };

export type ChunkStatus = ChunkProgress['status'];

export interface PlanSpec {
  readonly planId: PlanId;
  readonly tokens: readonly InstrumentToken[];
  readonly days: readonly TradingDay[];
  readonly interval: CandleInterval;
  readonly chunks: readonly Chunk[];
  readonly maxAttempts: number;
  readonly requestedAt: EpochMs;
  /** Position of each chunk in `chunks` and in the state's `progress`. */
  readonly indexOf: ReadonlyMap<ChunkId, number>;
}

interface WithPlan {
  readonly plan: PlanSpec;
  /** One entry per chunk, in the order of `plan.chunks`. */
  readonly progress: readonly ChunkProgress[];
}

export type PlanState =
  | { readonly status: 'idle' }
  | ({ readonly status: 'running' } & WithPlan)
  | ({ readonly status: 'completed'; readonly completedAt: EpochMs } & WithPlan)
  | ({ readonly status: 'cancelled'; readonly cancelledAt: EpochMs; readonly reason: string } & WithPlan);
