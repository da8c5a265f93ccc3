/**
 * At most `perSecond` requests in any one-second window (the docs' 1 request/s for historical
 * data). A client pacing itself exactly at the limit may see its requests arrive a little closer
 * together than it sent them, so the window is shortened by a small grace.
 */
export const RATE_WINDOW_GRACE_MS = 25;

export class RequestRateLimit {
  readonly #perSecond: number;
  readonly #now: () => number;
  readonly #times: number[] = [];

  /** `perSecond` 0 = unlimited. `now` is a monotonic clock in ms. */
  constructor(perSecond: number, now: () => number = () => performance.now()) {
    this.#perSecond = perSecond;
    this.#now = now;
  }

  /** True (and the request counted) when it fits; false when it must be refused. */
  tryTake(): boolean {
    if (this.#perSecond <= 0) return true;
    const now = this.#now();
    const windowStart = now - (1000 - RATE_WINDOW_GRACE_MS);
    while (this.#times.length > 0 && (this.#times[0] ?? 0) <= windowStart) this.#times.shift();
    if (this.#times.length >= this.#perSecond) return false;
    this.#times.push(now);
    return true;
  }
}
