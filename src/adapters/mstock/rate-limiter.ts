import type { Clock } from '../../ports/clock.ts';
import { untilAborted, type Sleep } from './abortable.ts';

export interface RateLimit {
  /** Sustained requests per second; 0 turns the limit off. */
  readonly perSecond: number;
  /** Requests that may be under way, or start back to back after a quiet spell. */
  readonly burst: number;
}

/**
 * Spaces calls to a rate-limited route. It holds `burst` slots; a call takes a free slot, and the
 * slot frees 1/perSecond after the call *ends*. Counting from the end, not the start, is what
 * keeps the broker's own count within the limit: the broker saw the previous request before we
 * saw its answer, so a delay on the way (a slow request, then a fast one) cannot squeeze two
 * requests into one of its seconds. The price is the latency of each call added to its spacing.
 * Waiters are served in call order. Time comes from `clock`, waiting from `sleep`.
 */
export class RateLimiter {
  private readonly limit: RateLimit;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  /** Per slot: when it may be used again; +Infinity while its call runs. */
  private readonly freeAt: number[];
  private queue: Promise<void> = Promise.resolve();
  private released: (() => void) | undefined;

  constructor(limit: RateLimit, clock: Clock, sleep: Sleep) {
    this.limit = limit;
    this.clock = clock;
    this.sleep = sleep;
    this.freeAt = Array.from({ length: Math.max(1, Math.floor(limit.burst)) }, () => 0);
  }

  /** Runs `call` once a slot is free; the slot frees 1/perSecond after `call` settles. */
  async run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.limit.perSecond <= 0) return call();
    const turn = this.queue.then(() => this.takeSlot(signal));
    // The next caller waits for this one to get its slot (or give up), never to finish its call.
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    const slot = await turn;
    try {
      return await call();
    } finally {
      this.freeAt[slot] = this.clock.now() + 1000 / this.limit.perSecond;
      const released = this.released;
      this.released = undefined;
      released?.();
    }
  }

  private async takeSlot(signal: AbortSignal | undefined): Promise<number> {
    for (;;) {
      signal?.throwIfAborted();
      let slot = 0;
      for (let i = 1; i < this.freeAt.length; i++)
        if ((this.freeAt[i] ?? 0) < (this.freeAt[slot] ?? 0)) slot = i;
      const at = this.freeAt[slot] ?? 0;
      const now = this.clock.now();
      if (at <= now) {
        this.freeAt[slot] = Number.POSITIVE_INFINITY;
        return slot;
      }
      if (at === Number.POSITIVE_INFINITY) {
        // Every slot is busy: wait for a call to end.
        await untilAborted(
          new Promise<void>((resolve) => {
            this.released = resolve;
          }),
          signal,
        );
      } else {
        await this.sleep(Math.ceil(at - now), signal);
      }
    }
  }
}
