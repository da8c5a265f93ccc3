import type { EpochMs } from '../../domain/units.ts';

/**
 * How the reading of one file ended. `complete` and `unterminated` replayed everything in the
 * file; `truncated` and `corrupt` replayed up to `offset` (a byte position) and say why there.
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

export interface SourceProgress {
  readonly path: string;
  readonly size: number;
  bytesRead: number;
  ending: SourceEnding | undefined;
}

/**
 * What a replay has read so far, updated as it goes: the CLI draws its progress bar from it and
 * prints its summary from it at the end. Counts are of the whole file, before the time window and
 * the token filter; `ticks` and `messages` count only what was yielded.
 */
export class ReplayReport {
  readonly sources: SourceProgress[];
  frames = 0;
  heartbeats = 0;
  textFrames = 0;
  malformedPackets = 0;
  /** Frames the recorder itself dropped (its disk fell behind): the live run had them, the file does not. */
  lostFrames = 0;
  ticks = 0;
  messages = 0;
  firstAt: EpochMs | undefined;
  lastAt: EpochMs | undefined;

  constructor(sources: readonly { readonly path: string; readonly size: number }[]) {
    this.sources = sources.map((s) => ({ path: s.path, size: s.size, bytesRead: 0, ending: undefined }));
  }

  get totalBytes(): number {
    return this.sources.reduce((n, s) => n + s.size, 0);
  }

  get bytesRead(): number {
    return this.sources.reduce((n, s) => n + s.bytesRead, 0);
  }

  /** The files that ended in damage, with where and why. */
  damaged(): readonly (SourceProgress & { readonly ending: SourceEnding })[] {
    return this.sources.filter(
      (s): s is SourceProgress & { ending: SourceEnding } => s.ending !== undefined && isDamage(s.ending),
    );
  }
}
