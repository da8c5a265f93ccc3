/**
 * Decides whether a log line keyed by `key` may be written now: at most once per `intervalMs` per
 * key, and at most `perSecond` lines a second over all keys (0: none at all). Keeps log volume
 * bounded whatever the feed does, so debug level or a stream of bad packets cannot fill the disk.
 */
export class RateLimitedKeys<K> {
  private readonly intervalMs: number;
  private readonly perSecond: number;
  private readonly lastAt = new Map<K, number>();
  private readonly suppressed = new Map<K, number>();
  private second = -1;
  private inSecond = 0;

  constructor(intervalMs: number, perSecond: number) {
    this.intervalMs = intervalMs;
    this.perSecond = perSecond;
  }

  /** Undefined when the line must be dropped; else how many lines of this key were dropped since the last. */
  allow(key: K, now: number): number | undefined {
    const last = this.lastAt.get(key);
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.inSecond = 0;
    }
    if ((last !== undefined && now - last < this.intervalMs) || this.inSecond >= this.perSecond) {
      if (this.suppressed.size >= 10_000) this.suppressed.clear();
      this.suppressed.set(key, (this.suppressed.get(key) ?? 0) + 1);
      return undefined;
    }
    // Bounded memory: keys are tokens or packet lengths, but a hostile stream could vary them.
    if (this.lastAt.size >= 10_000) this.lastAt.clear();
    this.lastAt.set(key, now);
    this.inSecond += 1;
    const dropped = this.suppressed.get(key) ?? 0;
    this.suppressed.delete(key);
    return dropped;
  }
}
