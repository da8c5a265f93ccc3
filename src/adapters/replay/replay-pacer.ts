import type { EpochMs } from '../../domain/units.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ReplaySpeed } from '../../ports/replay-feed.ts';
import type { Sleep } from '../mstock/abortable.ts';

export type { ReplaySpeed };

/**
 * Holds each message back until its recorded time, scaled by the speed, has come on the wall
 * clock. Times are measured from the first message, against the wall time it was let through,
 * so waits do not add up drift; a message already late (slow sink, a clock step back in the
 * recording) goes at once.
 */
export class ReplayPacer {
  private readonly speed: ReplaySpeed;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private origin: { readonly recorded: number; readonly wall: number } | undefined;

  constructor(speed: ReplaySpeed, clock: Clock, sleep: Sleep) {
    this.speed = speed;
    this.clock = clock;
    this.sleep = sleep;
  }

  /** Resolves when the message recorded at `at` is due; false if `signal` aborted the wait. */
  async wait(at: EpochMs, signal: AbortSignal): Promise<boolean> {
    if (this.speed === 'max') return true;
    if (this.origin === undefined) {
      this.origin = { recorded: at, wall: this.clock.now() };
      return true;
    }
    const due = this.origin.wall + (at - this.origin.recorded) / this.speed;
    const ms = Math.floor(due - this.clock.now());
    if (ms < 1) return true;
    try {
      await this.sleep(ms, signal);
      return true;
    } catch {
      return false;
    }
  }
}
