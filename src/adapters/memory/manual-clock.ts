import type { EpochMs } from '../../domain/units.ts';
import type { Clock } from '../../ports/clock.ts';

/** A clock that moves only when told: for tests and for replay at recorded time. */
export class ManualClock implements Clock {
  private current: EpochMs;
  constructor(start: EpochMs) {
    this.current = start;
  }
  now(): EpochMs {
    return this.current;
  }
  set(at: EpochMs): void {
    this.current = at;
  }
  advance(ms: number): void {
    this.current = (this.current + ms) as EpochMs;
  }
}
