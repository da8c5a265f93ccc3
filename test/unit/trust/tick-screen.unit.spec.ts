import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { MemoryRecordPublisher } from '../../../src/adapters/memory/memory-record-publisher.ts';
import { TickScreen } from '../../../src/app/trust/tick-screen.ts';
import { QUARANTINE_REASONS } from '../../../src/domain/tick-validation.ts';
import { epochMs, rupees } from '../../../src/domain/units.ts';
import { RELIANCE, TCS, TRADING, nse, tick } from './trust-fixtures.ts';

const setup = () => {
  const quarantine = new MemoryRecordPublisher();
  const metrics = new MemoryMetrics();
  const logger = new MemoryLogger();
  const screen = new TickScreen(
    { quarantine, session: nse, logger, metrics },
    { tokens: [RELIANCE], rules: { bandPercent: 20, maxExchangeLeadMs: 5000, maxExchangeLagMs: 60_000 } },
  );
  return { quarantine, metrics, logger, screen };
};

describe('TickScreen', () => {
  it('binds one quarantine counter per reason up front, all at zero', () => {
    const { metrics } = setup();
    for (const reason of QUARANTINE_REASONS)
      expect(metrics.value('ticks_quarantined_total', { reason })).toBe(0);
  });

  it('returns the very same batch when every tick passes', () => {
    const { screen, quarantine } = setup();
    const batch = [tick(TRADING, { volume: 1 }), tick(TRADING, { volume: 2, seq: 1 })];
    expect(screen.screen(batch, TRADING)).toBe(batch);
    expect(quarantine.records).toEqual([]);
  });

  it('holds back failing ticks, in order, publishing {reason, tick} keyed by token and counting by reason', async () => {
    const { screen, quarantine, metrics } = setup();
    const good1 = tick(TRADING, { volume: 100 });
    const spike = tick(TRADING, { volume: 101, ltp: rupees(5000), seq: 1 });
    const stranger = tick(TRADING, { token: TCS, seq: 2 });
    const backwards = tick(TRADING, { volume: 50, seq: 3 });
    const good2 = tick(TRADING, { volume: 120, seq: 4 });
    const passed = screen.screen([good1, spike, stranger, backwards, good2], TRADING);
    expect(passed).toEqual([good1, good2]);
    await Promise.resolve();
    expect(quarantine.records.map((r) => r.key)).toEqual([RELIANCE, TCS, RELIANCE]);
    const values = quarantine.values() as {
      reason: string;
      tick: { token: string; ltp: number; volume: number };
    }[];
    expect(values.map((v) => [v.reason, v.tick.token, v.tick.ltp, v.tick.volume])).toEqual([
      ['price-outside-band', RELIANCE, 5000, 101],
      ['unsubscribed-token', TCS, 1500, 1000],
      ['volume-backwards', RELIANCE, 1500, 50],
    ]);
    expect(metrics.value('ticks_quarantined_total', { reason: 'price-outside-band' })).toBe(1);
    expect(metrics.value('ticks_quarantined_total', { reason: 'unsubscribed-token' })).toBe(1);
    expect(metrics.value('ticks_quarantined_total', { reason: 'volume-backwards' })).toBe(1);
    expect(screen.quarantinedCount).toBe(3);
  });

  it('a quarantined spike does not move the remembered volume: the next normal tick passes', () => {
    const { screen } = setup();
    screen.screen([tick(TRADING, { volume: 100 })], TRADING);
    screen.screen([tick(TRADING, { volume: 10_000_000, exchangeTime: epochMs(TRADING + 60_000) })], TRADING);
    expect(screen.screen([tick(TRADING, { volume: 110 })], TRADING)).toHaveLength(1);
  });

  it('a refused quarantine publish is logged, never thrown into the feed loop', async () => {
    const { screen, quarantine, logger } = setup();
    quarantine.failNext(1);
    expect(screen.screen([tick(TRADING, { token: TCS })], TRADING)).toEqual([]);
    await new Promise((r) => setTimeout(r, 0));
    expect(logger.records.some((l) => l.message.includes('not delivered to the quarantine topic'))).toBe(
      true,
    );
  });
});
