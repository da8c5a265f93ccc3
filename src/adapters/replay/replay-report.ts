import type { EpochMs } from '../../domain/units.ts';
import { isDamage, type SourceEnding } from '../../ports/replay-feed.ts';

// How a file's reading ended is the replay port's word (src/ports/replay-feed.ts).
export { isDamage, type SourceEnding };

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
