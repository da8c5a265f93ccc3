import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { ClockAlarms } from '../../../src/app/backfill/clock-alarms.ts';
import { epochMs } from '../../../src/domain/units.ts';

const harness = () => {
  const clock = new ManualClock(epochMs(1_000_000));
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const alarms = new ClockAlarms(
    clock,
    (fn, ms) => {
      const t = { fn, ms, cancelled: false };
      timers.push(t);
      return () => {
        t.cancelled = true;
      };
    },
    1000,
  );
  return { clock, timers, alarms };
};

describe('ClockAlarms', () => {
  it('rings at once for a time already past; else reads the clock again at least every recheckMs', () => {
    const { clock, timers, alarms } = harness();
    const rung: string[] = [];
    alarms.at(999_000, () => rung.push('past'));
    expect(rung).toEqual(['past']);

    alarms.at(1_000_300, () => rung.push('soon'));
    alarms.at(1_060_000, () => rung.push('later'));
    expect(timers.map((t) => t.ms)).toEqual([300, 1000]);
    clock.set(epochMs(1_000_300));
    timers[0]?.fn();
    expect(rung).toEqual(['past', 'soon']);
    // The clock jumped a minute: the next look rings the later alarm, not a minute of timers.
    clock.set(epochMs(1_060_000));
    timers[1]?.fn();
    expect(rung).toEqual(['past', 'soon', 'later']);
  });

  it('cancelAll drops every alarm not yet rung', () => {
    const { timers, alarms } = harness();
    let rung = false;
    alarms.at(1_005_000, () => (rung = true));
    alarms.cancelAll();
    expect(timers.every((t) => t.cancelled)).toBe(true);
    expect(rung).toBe(false);
  });
});
