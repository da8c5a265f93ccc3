import { readFileSync } from 'node:fs';
import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import type { IstDate } from '../../../src/domain/ist.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { makeCandleModel } from '../../../src/simulator/candle-model.ts';
import { monthlyExpiries, weeklyExpiries } from '../../../src/simulator/contract-expiries.ts';
import { decodeInstrumentCsv } from '../../../src/simulator/instrument-list.ts';
import { makeSimMarket } from '../../../src/simulator/market-model.ts';
import { makeRandom } from '../../../src/simulator/seeded-random.ts';
import { SimUniverse } from '../../../src/simulator/sim-universe.ts';

const session = makeMarketSession();
const NIFTY50 = (() => {
  const decoded = decodeInstrumentCsv(readFileSync('config/nifty50.csv', 'utf8'));
  if (E.isLeft(decoded)) throw new Error(decoded.left.message);
  return decoded.right;
})();
const THURSDAY = '2025-11-20' as IstDate;
const universe = () => new SimUniverse(NIFTY50, 1, session, THURSDAY);

describe('contract expiries', () => {
  it('are Tuesdays from the market date on, a holiday moving one to the trading day before', () => {
    expect(weeklyExpiries(session, THURSDAY, 3)).toEqual(['2025-11-25', '2025-12-02', '2025-12-09']);
    expect(monthlyExpiries(session, THURSDAY, 2)).toEqual(['2025-11-25', '2025-12-30']);
    // An expiry day itself is still an expiry.
    expect(weeklyExpiries(session, '2025-11-25' as IstDate, 1)).toEqual(['2025-11-25']);
    // 2026-03-31 is a Tuesday; every listed expiry is a trading day.
    for (const d of weeklyExpiries(session, '2026-01-01' as IstDate, 30))
      expect(session.tradingDay(d)).toBe(d);
  });
});

describe('the large universe', () => {
  it('lists more than 5,000 rows, the same for a seed, with unique tokens', () => {
    const u = universe();
    expect(u.rows.length).toBeGreaterThanOrEqual(5_000);
    expect(new Set(u.rows.map((r) => r.token)).size).toBe(u.rows.length);
    expect(universe().csv()).toBe(u.csv());
    expect(new SimUniverse(NIFTY50, 2, session, THURSDAY).csv()).not.toBe(u.csv());
  });

  it('holds the Nifty 50 with its tokens, indices, NIFTY and BANKNIFTY contracts and BSE rows', () => {
    const u = universe();
    const byToken = new Map(u.rows.map((r) => [r.token, r]));
    for (const i of NIFTY50) expect(byToken.get(i.token)?.tradingSymbol).toBe(i.symbol);
    expect(byToken.get(26000)).toMatchObject({
      instrumentType: 'INDEX',
      segment: 'INDICES',
      exchange: 'NSE',
    });
    expect(byToken.get(26009)).toMatchObject({ tradingSymbol: 'NIFTY BANK', segment: 'INDICES' });
    expect(byToken.get(500325)).toMatchObject({ tradingSymbol: 'RELIANCE', segment: 'BSE', exchange: 'BSE' });
    const segments = new Set(u.rows.map((r) => r.segment));
    expect([...segments].sort()).toEqual(['BSE', 'INDICES', 'NFO-FUT', 'NFO-OPT', 'NSE']);
    const options = u.rows.filter((r) => r.segment === 'NFO-OPT');
    expect(new Set(options.map((r) => r.expiry))).toEqual(new Set(['2025-11-25', '2025-12-02']));
    expect(new Set(options.map((r) => r.name))).toEqual(new Set(['NIFTY', 'BANKNIFTY']));
    const symbols = new Set(u.rows.map((r) => r.tradingSymbol));
    expect(symbols).toContain('NIFTY25NOVFUT');
    expect(symbols).toContain('NIFTY25DECFUT');
    expect(symbols).toContain('NIFTY25NOV25900CE');
    expect(symbols).toContain('BANKNIFTY25D0258000PE');
    for (const r of u.rows.filter((x) => x.expiry !== ''))
      expect(session.tradingDay(r.expiry)).toBe(r.expiry);
    const bseTokens = new Set(u.rows.filter((r) => r.exchange === 'BSE').map((r) => r.token));
    expect(u.rows.filter((r) => r.exchange !== 'BSE' && bseTokens.has(r.token))).toEqual([]);
  });

  it('rolls: the nearest expiry leaves, a later one is listed with new tokens', () => {
    const u = universe();
    const before = u.rows.length;
    const roll = u.rollExpiry();
    expect(roll).toMatchObject({ expired: '2025-11-25', listed: ['2025-12-09', '2026-01-27'] });
    expect(u.rows.some((r) => r.expiry === '2025-11-25')).toBe(false);
    expect(new Set(u.rows.filter((r) => r.segment === 'NFO-OPT').map((r) => r.expiry))).toEqual(
      new Set(['2025-12-02', '2025-12-09']),
    );
    // The November futures left, January's joined.
    expect(
      u.rows
        .filter((r) => r.segment === 'NFO-FUT')
        .map((r) => r.expiry)
        .sort(),
    ).toEqual(['2025-12-30', '2025-12-30', '2026-01-27', '2026-01-27']);
    expect(u.rows.length).toBe(before);
    for (const t of roll.delisted) expect(u.instruments.has(t)).toBe(false);
    for (const t of roll.added) expect(u.instruments.has(t)).toBe(true);
    expect(u.csv()).not.toContain('NIFTY25NOV25900CE');
    expect(u.csv()).toContain('NIFTY25D0925900CE');
    // The next nearest expiry has options only: the futures stay as they are.
    expect(u.rollExpiry()).toMatchObject({ expired: '2025-12-02', listed: ['2025-12-16'] });
    expect(u.rows.filter((r) => r.segment === 'NFO-FUT')).toHaveLength(4);
    expect(u.rows.length).toBe(before);
  });
});

describe('the market over the large universe', () => {
  const at = epochMs(Date.parse('2025-11-20T10:00:00+05:30'));
  const market = (u: SimUniverse) =>
    makeSimMarket([], makeCandleModel(1, session), session, makeRandom(1), at, {
      find: (t) => u.instruments.get(t),
    });

  it('quotes an instrument from its first use, and ticks only the followed ones', () => {
    const u = universe();
    const m = market(u);
    expect(m.quotes).toEqual([]);
    expect(m.canStep()).toBe(false);
    const option = u.rows.find((r) => r.tradingSymbol === 'NIFTY25NOV25900CE')!;
    m.follow(new Set([option.token, 500325]));
    expect(m.quotes.map((q) => q.instrument.token).sort((a, b) => a - b)).toEqual([option.token, 500325]);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(m.step(epochMs(at + i)).instrument.token);
    expect(seen).toEqual(new Set([option.token, 500325]));
    const q = m.quote(option.token)!;
    expect(q.openInterest).toBeGreaterThan(0);
    expect(q.openInterestDayLow).toBeLessThanOrEqual(q.openInterest);
    expect(q.openInterestDayHigh).toBeGreaterThanOrEqual(q.openInterest);
    expect(Math.abs(q.ltp / 100 - option.lastPrice) / option.lastPrice).toBeLessThan(0.3);
    expect(m.quote(500325)!.openInterest).toBe(0);
  });

  it('stops quoting what is delisted', () => {
    const u = universe();
    const m = market(u);
    m.follow(new Set([500325, 2885]));
    m.delist([500325]);
    expect(m.quote(2885)).toBeDefined();
    for (let i = 0; i < 50; i++) expect(m.step(epochMs(at + i)).instrument.token).toBe(2885);
  });
});
