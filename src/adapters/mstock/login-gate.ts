import type { EpochMs } from '../../domain/units.ts';
import type { Clock } from '../../ports/clock.ts';

/**
 * What every socket of the feed shares about logging in. The wait before the next login: when the
 * broker keeps ending our sessions (session-takeover.ts), no socket may log in before the
 * takeover's backoff is over, whichever socket noticed it. And the logins in a row whose API key
 * was refused, counted once per login however many sockets waited on it, so several sockets do
 * not multiply the tries that could lock the account.
 */
export class LoginGate {
  private readonly clock: Clock;
  private openAt: EpochMs = 0 as EpochMs;
  private keyRefusals = 0;
  private lastRefusal: unknown;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** No login for the next `ms` (a shorter hold does not shorten a longer one). */
  hold(ms: number): void {
    if (ms <= 0) return;
    this.openAt = Math.max(this.openAt, this.clock.now() + ms) as EpochMs;
  }

  /** How long a socket must still wait before logging in. */
  remainingMs(): number {
    return Math.max(0, this.openAt - this.clock.now());
  }

  /** A login's API key was refused (`refusal`: its error, shared by the sockets that waited on it); the refusals in a row. */
  keyRefused(refusal: unknown): number {
    if (refusal !== this.lastRefusal) this.keyRefusals += 1;
    this.lastRefusal = refusal;
    return this.keyRefusals;
  }

  /** A login went through: the key works. */
  keyAccepted(): void {
    this.keyRefusals = 0;
    this.lastRefusal = undefined;
  }
}
