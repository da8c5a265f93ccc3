import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { SubscriptionWatch } from '../../../src/app/trust/subscription-watch.ts';
import type { InstrumentToken } from '../../../src/domain/instrument.ts';
import type { EpochMs } from '../../../src/domain/units.ts';
import { NIFTY, NIGHT, RELIANCE, TCS, TRADING, ist, nse, tick } from './trust-fixtures.ts';

const setup = (start: EpochMs) => {
  const clock = new ManualClock(start);
  const metrics = new MemoryMetrics();
  const asked: (readonly InstrumentToken[])[] = [];
  const watch = new SubscriptionWatch(
    {
      session: nse,
      clock,
      logger: new MemoryLogger(),
      metrics,
      resubscribe: (tokens) => {
        asked.push(tokens);
        return true;
      },
    },
    { tokens: [RELIANCE, TCS, NIFTY], confirmMs: 5000 },
  );
  const connect = (): void => watch.observe({ kind: 'connected', at: clock.now(), attempt: 1 });
  const seconds = (n: number): void => {
    for (let i = 0; i < n; i++) {
      clock.advance(1000);
      watch.check();
    }
  };
  return { clock, metrics, asked, watch, connect, seconds };
};

describe('SubscriptionWatch', () => {
  it('in market hours, subscribes again exactly the instruments that showed no packet after the connect', () => {
    const { asked, watch, connect, seconds, metrics } = setup(TRADING);
    connect();
    watch.saw([tick(TRADING, { token: RELIANCE }), tick(TRADING, { token: NIFTY })]);
    seconds(4);
    expect(asked).toEqual([]);
    seconds(1);
    expect(asked).toEqual([[TCS]]);
    expect(metrics.value('subscription_retries_total')).toBe(1);
    expect(metrics.value('subscription_unconfirmed')).toBe(1);
    // The next try waits twice as long; a packet ends it.
    seconds(9);
    expect(asked).toHaveLength(1);
    seconds(1);
    expect(asked).toHaveLength(2);
    watch.saw([tick(TRADING, { token: TCS })]);
    seconds(60);
    expect(asked).toHaveLength(2);
    expect(metrics.value('subscription_unconfirmed')).toBe(0);
  });

  it('asks nothing at night, and counts the wait from the open when connected before it', () => {
    const night = setup(NIGHT);
    night.connect();
    night.seconds(60);
    expect(night.asked).toEqual([]);

    const early = setup(ist('2026-11-19 09:10:00'));
    early.connect();
    early.clock.set(ist('2026-11-19 09:15:03'));
    early.watch.check();
    expect(early.asked).toEqual([]);
    early.clock.set(ist('2026-11-19 09:15:05'));
    early.watch.check();
    expect(early.asked).toEqual([[RELIANCE, TCS, NIFTY]]);
  });

  it('every connect starts afresh; a disconnect stops the wait', () => {
    const { asked, watch, connect, seconds, clock } = setup(TRADING);
    connect();
    watch.saw([
      tick(TRADING, { token: RELIANCE }),
      tick(TRADING, { token: TCS }),
      tick(TRADING, { token: NIFTY }),
    ]);
    watch.observe({ kind: 'disconnected', at: clock.now(), reason: 'x' });
    seconds(10);
    connect();
    expect(watch.unconfirmedTokens()).toEqual([RELIANCE, TCS, NIFTY]);
    watch.observe({ kind: 'disconnected', at: clock.now(), reason: 'y' });
    seconds(10);
    expect(asked).toEqual([]);
  });
});
