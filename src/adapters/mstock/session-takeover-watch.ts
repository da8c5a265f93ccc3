import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter } from '../../ports/metrics.ts';
import type { SessionManager } from './session-manager.ts';
import { SessionTakeoverRule, type SessionTakeoverSettings } from './session-takeover.ts';

/**
 * The one error line of a takeover episode. It names the setting, never its value: the user id is
 * not a secret, but it has no business in shared logs.
 */
export const SESSION_TAKEN_OVER =
  'Another login with the same user (MSTOCK_USER) ended this m.Stock session; each tickflow instance needs its own m.Stock credentials';

export interface SessionTakeoverWatchDeps {
  readonly session: SessionManager;
  readonly settings: SessionTakeoverSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `mstock_session_taken_over_total`: one per episode. */
  readonly takenOver: Counter;
  readonly random: () => number;
}

/** Applies the takeover rule to the feed's session: reports an episode once, paces the logins. */
export class SessionTakeoverWatch {
  readonly #deps: SessionTakeoverWatchDeps;
  readonly #rule: SessionTakeoverRule;

  constructor(deps: SessionTakeoverWatchDeps) {
    this.#deps = deps;
    this.#rule = new SessionTakeoverRule(deps.settings);
  }

  /**
   * The broker ended the session of `accessToken` (its socket closed by the server, then the token
   * refused): the session is dropped so the next connection logs in again. Returns how long to
   * wait before that login (0 unless a takeover is under way).
   */
  sessionEnded(accessToken: string): number {
    const { session, clock, logger, takenOver, random } = this.#deps;
    const current = session.current();
    session.invalidate(accessToken);
    // Another stream already handled this session's end.
    if (current?.accessToken !== accessToken) return 0;
    const verdict = this.#rule.sessionEnded(current.loginAt, clock.now(), random);
    if (verdict.kind !== 'takeover') return 0;
    if (verdict.firstInEpisode) {
      takenOver.inc();
      logger.error(SESSION_TAKEN_OVER, {
        sessionsEnded: verdict.endedInARow,
        nextLoginInMs: verdict.loginDelayMs,
      });
    } else {
      logger.info('Waiting before logging in to m.Stock again', {
        sessionsEnded: verdict.endedInARow,
        waitMs: verdict.loginDelayMs,
      });
    }
    return verdict.loginDelayMs;
  }
}
