import type { InstrumentToken } from './instrument.ts';
import type { EpochMs } from './units.ts';

interface LastSeen {
  time: number;
  count: number;
}

/**
 * Numbers ticks of one token that share an exchange time: 0 for the first, then 1, 2, ...; back to
 * 0 when the time changes. With the token and the time this makes `tickId` unique.
 *
 * The count follows runs of equal times, as the feed sends them: a time that comes back after
 * another one starts again at 0. Exchange times per token only move forward on a live feed, so
 * that never happens there; a source that reorders ticks must sort them first.
 *
 * Called once per tick on the hot path: after a token's first tick it allocates nothing.
 */
export class TickSequencer {
  readonly #last = new Map<InstrumentToken, LastSeen>();

  next(token: InstrumentToken, time: EpochMs): number {
    const last = this.#last.get(token);
    if (last === undefined) {
      this.#last.set(token, { time, count: 0 });
      return 0;
    }
    if (last.time === time) {
      last.count += 1;
      return last.count;
    }
    last.time = time;
    last.count = 0;
    return 0;
  }

  /** Forgets every token, e.g. when a new session starts from a clean slate. */
  clear(): void {
    this.#last.clear();
  }
}
