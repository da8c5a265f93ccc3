import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { FreshnessMonitor } from '../../../src/app/trust/freshness-monitor.ts';
import type { FeedGap } from '../../../src/domain/feed-events.ts';
import { learnTick, silenceThresholdMs } from '../../../src/domain/instrument-freshness.ts';
import type { InstrumentToken } from '../../../src/domain/instrument.ts';
import { epochMs, type EpochMs } from '../../../src/domain/units.ts';
import { NIFTY, NIGHT, RELIANCE, TCS, TRADING, ist, nse, tick } from './trust-fixtures.ts';

const rules = { factor: 5, floorMs: 5000, minSamples: 5, alpha: 0.1 };
const TOKENS = [RELIANCE, TCS, NIFTY];

const setup = (start: EpochMs) => {
  const clock = new ManualClock(start);
  const metrics = new MemoryMetrics();
  const gaps: FeedGap[] = [];
  const monitor = new FreshnessMonitor(
    { session: nse, clock, metrics, onGap: (g) => gaps.push(g) },
    { tokens: TOKENS, rules, muteAfterMs: 15_000 },
  );
  monitor.observe({ kind: 'connected', at: clock.now(), attempt: 1 });
  /** Every token but `except` ticks once a second for `seconds`, checked each second. */
  const run = (seconds: number, except: readonly InstrumentToken[] = []): void => {
    for (let i = 0; i < seconds; i++) {
      clock.advance(1000);
      const ticks = TOKENS.filter((t) => !except.includes(t)).map((token) => tick(clock.now(), { token }));
      if (ticks.length > 0) monitor.observe({ kind: 'ticks', ticks, receivedAt: clock.now() });
      monitor.check();
    }
  };
  return { clock, metrics, gaps, monitor, run };
};

describe('cadence', () => {
  it('is unknown until enough intervals, then the threshold is factor × mean with a floor', () => {
    let c = learnTick(undefined, epochMs(0), rules);
    for (let i = 1; i <= 4; i++) c = learnTick(c, epochMs(i * 2000), rules);
    expect(silenceThresholdMs(c, rules)).toBeUndefined();
    c = learnTick(c, epochMs(10_000), rules);
    expect(silenceThresholdMs(c, rules)).toBe(10_000);
    let fast = learnTick(undefined, epochMs(0), rules);
    for (let i = 1; i <= 10; i++) fast = learnTick(fast, epochMs(i * 10), rules);
    expect(silenceThresholdMs(fast, rules)).toBe(5000);
  });

  it('a long silence is cut to the threshold: it does not teach the instrument to be silent', () => {
    let c = learnTick(undefined, epochMs(0), rules);
    for (let i = 1; i <= 10; i++) c = learnTick(c, epochMs(i * 1000), rules);
    c = learnTick(c, epochMs(10_000 + 3_600_000), rules);
    expect(c.meanIntervalMs).toBeLessThanOrEqual(1000 + 0.1 * 5000);
  });
});

describe('FreshnessMonitor', () => {
  it('reports one silent instrument, that token only, from its last tick; then continues the gap when it speaks', () => {
    const { gaps, run, clock } = setup(TRADING);
    run(20);
    const lastTick = clock.now();
    run(6, [TCS]);
    expect(gaps).toEqual([
      { tokens: [TCS], from: lastTick, to: epochMs(lastTick + 6000), cause: 'silent-instrument' },
    ]);
    run(10, [TCS]);
    expect(gaps).toHaveLength(1);
    run(1);
    expect(gaps[1]).toEqual({
      tokens: [TCS],
      from: epochMs(lastTick + 6000),
      to: epochMs(lastTick + 17_000),
      cause: 'silent-instrument',
    });
    run(10);
    expect(gaps).toHaveLength(2);
  });

  it('raises nothing for the same silence at night', () => {
    const { gaps, run } = setup(NIGHT);
    run(20);
    run(60, [TCS]);
    expect(gaps).toEqual([]);
  });

  it('ends an open silence at the close of the session', () => {
    const { gaps, run, clock } = setup(ist('2026-11-19 15:29:00'));
    run(20);
    run(30, [TCS]);
    expect(gaps).toHaveLength(1);
    run(30, [TCS]);
    expect(gaps[1]).toMatchObject({ tokens: [TCS], to: ist('2026-11-19 15:30:00') });
    expect(clock.now()).toBeGreaterThan(ist('2026-11-19 15:30:00'));
  });

  it('when every instrument is silent it is the socket: no instrument gaps, and the feed is mute', () => {
    const { gaps, run, monitor } = setup(TRADING);
    run(20);
    expect(monitor.freshness()).toBe('flowing');
    run(30, TOKENS);
    expect(gaps).toEqual([]);
    expect(monitor.freshness()).toBe('mute');
  });

  it('counts silence from the reconnect, not from before it, and closes open silences on a disconnect', () => {
    const { gaps, run, clock, monitor } = setup(TRADING);
    run(20);
    run(6, [TCS]);
    expect(gaps).toHaveLength(1);
    run(2, [TCS]);
    monitor.observe({ kind: 'disconnected', at: clock.now(), reason: 'x' });
    expect(gaps[1]).toMatchObject({ tokens: [TCS], to: clock.now() });
    clock.advance(30_000);
    monitor.observe({ kind: 'connected', at: clock.now(), attempt: 2 });
    // TCS last ticked 40 s ago, but the silence counts from the reconnect: 4 s is within its cadence.
    run(4, [TCS]);
    expect(gaps).toHaveLength(2);
    expect(monitor.freshness()).toBe('flowing');
    // A replaced socket gets no fresh grace: 20 s without any tick is mute, reconnect or not.
    monitor.observe({ kind: 'disconnected', at: clock.now(), reason: 'y' });
    clock.advance(20_000);
    monitor.observe({ kind: 'connected', at: clock.now(), attempt: 3 });
    expect(monitor.freshness()).toBe('mute');
    run(1);
    expect(monitor.freshness()).toBe('flowing');
    run(6, [TCS]);
    expect(gaps[2]).toMatchObject({ tokens: [TCS], from: epochMs(clock.now() - 6000) });
  });

  it('keeps tick_age_seconds per token, -1 before any tick', () => {
    const { metrics, run, monitor, clock } = setup(TRADING);
    monitor.check();
    expect(metrics.value('tick_age_seconds', { token: TCS })).toBe(-1);
    run(5);
    run(3, [TCS]);
    clock.advance(500);
    monitor.check();
    expect(metrics.value('tick_age_seconds', { token: TCS })).toBe(3.5);
    expect(metrics.value('tick_age_seconds', { token: RELIANCE })).toBe(0.5);
  });
});
