import type { EpochMs } from '../domain/units.ts';
import type { BrokerFeed } from './broker-feed.ts';

/** As fast as the sink takes it, or N times the recorded pace (1 = real time). */
export type ReplaySpeed = 'max' | number;

/**
 * How the reading of one recorded file ended. `complete` and `unterminated` replayed everything
 * in the file; `truncated` and `corrupt` replayed up to `offset` (a byte position) and say why there.
 */
export type SourceEnding =
  | { readonly kind: 'complete' }
  | { readonly kind: 'unterminated'; readonly message: string }
  | { readonly kind: 'truncated'; readonly offset: number; readonly message: string }
  | { readonly kind: 'corrupt'; readonly offset: number; readonly message: string }
  /** The file could not be read on (an I/O error), after `offset`. */
  | { readonly kind: 'unreadable'; readonly offset: number; readonly message: string }
  /** Not read to its end: the time window closed, or the replay was stopped. */
  | { readonly kind: 'stopped' };

export const isDamage = (e: SourceEnding): boolean =>
  e.kind === 'truncated' || e.kind === 'corrupt' || e.kind === 'unreadable';

/** What a replay has read so far: each file and how it ended, and the counts of the whole run. */
export interface ReplayProgress {
  readonly sources: readonly { readonly path: string; readonly ending: SourceEnding | undefined }[];
  readonly frames: number;
  readonly ticks: number;
  /** Frames the recorder itself dropped (its disk fell behind): the live run had them, the file does not. */
  readonly lostFrames: number;
  readonly firstAt: EpochMs | undefined;
  readonly lastAt: EpochMs | undefined;
}

/** A feed over recorded files: the same messages as live, and a report of how far it read. */
export interface ReplayFeed extends BrokerFeed {
  readonly report: ReplayProgress;
}
