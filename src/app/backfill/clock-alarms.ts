import type { Clock } from '../../ports/clock.ts';

/** Calls `fn` after `ms`; returns a cancel function. Injected so tests need not wait. */
export type Schedule = (fn: () => void, ms: number) => () => void;

export const timerSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** How long an alarm waits at most before it reads the clock again. */
export const DEFAULT_RECHECK_MS = 5_000;

/**
 * Alarms set for a time on the injected clock, not for a duration: each one reads the clock again at
 * least every `recheckMs`, so a clock that jumps (a suspended host, a replay, a test) rings it on
 * time. `cancelAll` drops every alarm not yet rung.
 */
export class ClockAlarms {
  private readonly clock: Clock;
  private readonly schedule: Schedule;
  private readonly recheckMs: number;
  private readonly pending = new Set<() => void>();

  constructor(clock: Clock, schedule: Schedule = timerSchedule, recheckMs = DEFAULT_RECHECK_MS) {
    this.clock = clock;
    this.schedule = schedule;
    this.recheckMs = recheckMs;
  }

  /** Calls `fn` once the clock reads `at` (at once when it already does). */
  at(at: number, fn: () => void): void {
    const remaining = at - this.clock.now();
    if (remaining <= 0) {
      fn();
      return;
    }
    const cancel = this.schedule(
      () => {
        this.pending.delete(cancel);
        this.at(at, fn);
      },
      Math.min(remaining, this.recheckMs),
    );
    this.pending.add(cancel);
  }

  cancelAll(): void {
    for (const cancel of this.pending) cancel();
    this.pending.clear();
  }
}
