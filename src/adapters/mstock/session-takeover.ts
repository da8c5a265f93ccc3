import type { EpochMs } from '../../domain/units.ts';
import { backoffCeiling, type BackoffSettings } from './backoff.ts';

export interface SessionTakeoverSettings {
  /** A session the broker ends within this time of our own login counts toward a takeover. */
  readonly windowMs: number;
  /** Such sessions ended in a row before it is called a takeover (one alone is a plain relogin). */
  readonly endsBeforeReport: number;
  /** The wait before logging in again during a takeover: grows per ended session, up to `maxMs`. */
  readonly loginBackoff: BackoffSettings;
}

/**
 * What one session ended by the broker means:
 * - `late`: it had lived longer than the window (an expiry, a one-off): any episode is over;
 * - `early`: ended shortly after our login, but not yet often enough to call it a takeover;
 * - `takeover`: ended shortly after our login again and again: someone else keeps logging in
 *   with the same user. `firstInEpisode` is true once per episode, for the one report.
 */
export type TakeoverVerdict =
  | { readonly kind: 'late' }
  | { readonly kind: 'early'; readonly endedInARow: number }
  | {
      readonly kind: 'takeover';
      readonly endedInARow: number;
      readonly firstInEpisode: boolean;
      /** Wait this long before the next login, instead of fighting for the session at once. */
      readonly loginDelayMs: number;
    };

/**
 * The takeover rule, pure (times come in): the feed tells it each time the broker ended our session
 * (the socket closed by the server, then its token refused), with the session's login time. If
 * m.Stock allows one session per user, another holder of the same credentials ends ours each time
 * it logs in, and ours ends theirs: each side sees its young sessions die one after another. A
 * session that lives past the window ends the episode, so the next one is reported again.
 */
export class SessionTakeoverRule {
  readonly #settings: SessionTakeoverSettings;
  #endedInARow = 0;

  constructor(settings: SessionTakeoverSettings) {
    this.#settings = settings;
  }

  /** `random` in [0, 1) spreads the wait over its upper half, so two fighters drift apart. */
  sessionEnded(loginAt: EpochMs, at: EpochMs, random: () => number): TakeoverVerdict {
    const { windowMs, endsBeforeReport, loginBackoff } = this.#settings;
    if (at - loginAt > windowMs) {
      this.#endedInARow = 0;
      return { kind: 'late' };
    }
    this.#endedInARow += 1;
    if (this.#endedInARow < endsBeforeReport) return { kind: 'early', endedInARow: this.#endedInARow };
    const ceiling = backoffCeiling(loginBackoff, this.#endedInARow - endsBeforeReport);
    return {
      kind: 'takeover',
      endedInARow: this.#endedInARow,
      // The count only grows within an episode: it reaches the threshold once.
      firstInEpisode: this.#endedInARow === endsBeforeReport,
      loginDelayMs: Math.floor(ceiling / 2 + (random() * ceiling) / 2),
    };
  }
}
