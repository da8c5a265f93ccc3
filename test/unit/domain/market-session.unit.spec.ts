import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, istDateOf, istWeekday, parseIstDate } from '../../../src/domain/ist.ts';
import {
  MarketSessionConfigError,
  makeMarketSession,
  type TradingDay,
} from '../../../src/domain/market-session.ts';
import { NSE_HOLIDAYS } from '../../../src/domain/nse-holidays.ts';
import { epochMs, type EpochMs } from '../../../src/domain/units.ts';

const ist = (s: string): EpochMs => epochMs(Date.parse(`${s.replace(' ', 'T')}+05:30`));
const nse = makeMarketSession();
const day = (s: string): TradingDay => {
  const d = nse.tradingDay(s);
  if (d === undefined) throw new Error(`${s} is not a trading day`);
  return d;
};

// Written out again here, apart from the table, so that a typo in either shows up.
const HOLIDAYS_2025 = [
  '2025-02-26',
  '2025-03-14',
  '2025-03-31',
  '2025-04-10',
  '2025-04-14',
  '2025-04-18',
  '2025-05-01',
  '2025-08-15',
  '2025-08-27',
  '2025-10-02',
  '2025-10-21',
  '2025-10-22',
  '2025-11-05',
  '2025-12-25',
];
const HOLIDAYS_2026 = [
  '2026-01-15',
  '2026-01-26',
  '2026-03-03',
  '2026-03-26',
  '2026-03-31',
  '2026-04-03',
  '2026-04-14',
  '2026-05-01',
  '2026-05-28',
  '2026-06-26',
  '2026-09-14',
  '2026-10-02',
  '2026-10-20',
  '2026-11-10',
  '2026-11-24',
  '2026-12-25',
];

describe('NSE holiday table', () => {
  it('holds exactly the weekday holidays of 2025 and 2026', () => {
    expect(NSE_HOLIDAYS.map((h) => h.date)).toEqual([...HOLIDAYS_2025, ...HOLIDAYS_2026]);
  });

  it('lists only weekdays (weekend holidays are closed anyway; one there is a typo)', () => {
    for (const h of NSE_HOLIDAYS) expect([0, 6], h.date).not.toContain(istWeekday(parseIstDate(h.date)!));
  });

  it('closes the market all day on listed holidays', () => {
    for (const d of [...HOLIDAYS_2025, ...HOLIDAYS_2026].filter((d) => d !== '2025-10-21')) {
      expect(nse.isTradingDay(d), d).toBe(false);
      expect(nse.phase(ist(`${d} 11:00:00`)), d).toBe('closed');
    }
  });

  it('trades on ordinary weekdays next to holidays', () => {
    for (const d of [
      '2025-03-13',
      '2025-03-17',
      '2025-04-17',
      '2025-12-24',
      '2026-01-14',
      '2026-01-16',
      '2026-01-01',
    ]) {
      expect(nse.isTradingDay(d), d).toBe(true);
      expect(nse.isOpen(ist(`${d} 11:00:00`)), d).toBe(true);
    }
  });
});

describe('MarketSession phases', () => {
  const at = (t: string) => nse.phase(ist(`2025-06-02 ${t}`));

  it('follows the day: closed, pre-open, open, post-close, closed (IST)', () => {
    expect(at('08:59:59.999')).toBe('closed');
    expect(at('09:00:00.000')).toBe('pre-open');
    expect(at('09:14:59.999')).toBe('pre-open');
    expect(at('09:15:00.000')).toBe('open');
    expect(at('15:29:59.999')).toBe('open');
    expect(at('15:30:00.000')).toBe('post-close');
    expect(at('15:59:59.999')).toBe('post-close');
    expect(at('16:00:00.000')).toBe('closed');
  });

  it('is open from 09:15:00.000 inclusive to 15:30:00.000 exclusive', () => {
    expect(nse.isOpen(ist('2025-06-02 09:14:59.999'))).toBe(false);
    expect(nse.isOpen(ist('2025-06-02 09:15:00.000'))).toBe(true);
    expect(nse.isOpen(ist('2025-06-02 15:29:59.999'))).toBe(true);
    expect(nse.isOpen(ist('2025-06-02 15:30:00.000'))).toBe(false);
    // 09:15 IST is 03:45 UTC.
    expect(nse.isOpen(epochMs(Date.UTC(2025, 5, 2, 3, 45)))).toBe(true);
    expect(nse.isOpen(epochMs(Date.UTC(2025, 5, 2, 3, 44, 59, 999)))).toBe(false);
  });

  it('is closed all weekend', () => {
    for (const t of ['2025-06-07 09:00:00', '2025-06-07 11:00:00', '2025-06-08 11:00:00']) {
      expect(nse.phase(ist(t)), t).toBe('closed');
    }
    expect(nse.isTradingDay('2025-06-07')).toBe(false);
    expect(nse.isTradingDay('2025-06-08')).toBe(false);
  });

  it('holds the 2025 Muhurat session: 13:45 to 14:45 on a holiday', () => {
    expect(nse.isTradingDay('2025-10-21')).toBe(true);
    expect(nse.phase(ist('2025-10-21 10:00:00'))).toBe('closed');
    expect(nse.phase(ist('2025-10-21 13:30:00'))).toBe('pre-open');
    expect(nse.phase(ist('2025-10-21 13:45:00'))).toBe('open');
    expect(nse.phase(ist('2025-10-21 14:44:59.999'))).toBe('open');
    expect(nse.phase(ist('2025-10-21 14:45:00'))).toBe('post-close');
  });
});

describe('MarketSession days', () => {
  it('gives the trading day of an instant in IST, none on a weekend or holiday', () => {
    // 19:30 UTC on Sunday June 1 is 01:00 IST on Monday June 2.
    expect(nse.tradingDayOf(epochMs(Date.UTC(2025, 5, 1, 19, 30)))).toBe('2025-06-02');
    expect(nse.tradingDayOf(ist('2025-06-02 23:59:59.999'))).toBe('2025-06-02');
    expect(nse.tradingDayOf(ist('2025-06-07 10:00:00'))).toBeUndefined();
    expect(nse.tradingDayOf(ist('2025-12-25 10:00:00'))).toBeUndefined();
  });

  it('builds TradingDay only from well-formed trading dates', () => {
    expect(nse.tradingDay('2025-06-02')).toBe('2025-06-02');
    expect(nse.tradingDay('2025-06-07')).toBeUndefined();
    expect(nse.tradingDay('2025-02-30')).toBeUndefined();
    expect(nse.tradingDay('June 2')).toBeUndefined();
  });

  it('gives session bounds and the time bars are final', () => {
    expect(nse.sessionBounds(day('2025-06-02'))).toEqual({
      day: '2025-06-02',
      open: ist('2025-06-02 09:15:00'),
      close: ist('2025-06-02 15:30:00'),
    });
    expect(nse.barsFinalAt(day('2025-06-02'))).toBe(ist('2025-06-02 16:15:00'));
    expect(nse.sessionBounds(day('2025-10-21'))).toEqual({
      day: '2025-10-21',
      open: ist('2025-10-21 13:45:00'),
      close: ist('2025-10-21 14:45:00'),
    });
  });

  it('counts a day among the previous ones once its bars are final (16:15), not before', () => {
    expect(nse.previousTradingDays(ist('2025-06-04 10:00:00'), 2)).toEqual(['2025-06-03', '2025-06-02']);
    expect(nse.previousTradingDays(ist('2025-06-04 16:14:59.999'), 1)).toEqual(['2025-06-03']);
    expect(nse.previousTradingDays(ist('2025-06-04 16:15:00'), 1)).toEqual(['2025-06-04']);
    expect(nse.previousTradingDays(ist('2025-06-04 18:00:00'), 2)).toEqual(['2025-06-04', '2025-06-03']);
    expect(nse.previousTradingDays(ist('2025-06-07 10:00:00'), 1)).toEqual(['2025-06-06']);
    expect(nse.previousTradingDays(ist('2025-06-04 18:00:00'), 0)).toEqual([]);
  });

  it('skips weekends and holidays across a year end', () => {
    // Christmas 2025 is a Thursday; Jan 1, 2026 trades.
    expect(nse.previousTradingDays(ist('2026-01-05 09:30:00'), 6)).toEqual([
      '2026-01-02',
      '2026-01-01',
      '2025-12-31',
      '2025-12-30',
      '2025-12-29',
      '2025-12-26',
    ]);
    expect(nse.previousTradingDays(ist('2025-12-29 10:00:00'), 3)).toEqual([
      '2025-12-26',
      '2025-12-24',
      '2025-12-23',
    ]);
  });

  it('skips a holiday on a Monday after the weekend (Republic Day 2026, Municipal election Jan 15)', () => {
    expect(nse.previousTradingDays(ist('2026-01-27 12:00:00'), 2)).toEqual(['2026-01-23', '2026-01-22']);
    expect(nse.previousTradingDays(ist('2026-01-16 12:00:00'), 1)).toEqual(['2026-01-14']);
  });
});

describe('MarketSession.nextOpen', () => {
  it("gives today's open before it, tomorrow's from the open on", () => {
    expect(nse.nextOpen(ist('2025-06-02 08:00:00'))).toBe(ist('2025-06-02 09:15:00'));
    expect(nse.nextOpen(ist('2025-06-02 09:14:59.999'))).toBe(ist('2025-06-02 09:15:00'));
    expect(nse.nextOpen(ist('2025-06-02 09:15:00'))).toBe(ist('2025-06-03 09:15:00'));
    expect(nse.nextOpen(ist('2025-06-02 20:00:00'))).toBe(ist('2025-06-03 09:15:00'));
  });

  it('jumps a long weekend', () => {
    // Good Friday 2026 is April 3, Good Friday 2025 April 18.
    expect(nse.nextOpen(ist('2026-04-02 16:00:00'))).toBe(ist('2026-04-06 09:15:00'));
    expect(nse.nextOpen(ist('2025-04-17 15:45:00'))).toBe(ist('2025-04-21 09:15:00'));
  });

  it('finds the Muhurat session inside the Diwali holidays, and the day after them', () => {
    expect(nse.nextOpen(ist('2025-10-20 16:00:00'))).toBe(ist('2025-10-21 13:45:00'));
    expect(nse.nextOpen(ist('2025-10-21 14:00:00'))).toBe(ist('2025-10-23 09:15:00'));
  });
});

describe('MarketSession config', () => {
  it('closes extra holidays', () => {
    const s = makeMarketSession({ extraHolidays: ['2025-06-03'] });
    expect(s.isTradingDay('2025-06-03')).toBe(false);
    expect(s.isOpen(ist('2025-06-03 11:00:00'))).toBe(false);
    expect(s.nextOpen(ist('2025-06-02 16:00:00'))).toBe(ist('2025-06-04 09:15:00'));
    expect(nse.isTradingDay('2025-06-03')).toBe(true);
  });

  it('opens a special session on a weekend or a holiday', () => {
    const s = makeMarketSession({
      sessionOverrides: [
        { date: '2026-11-08', open: '18:15', close: '19:15' },
        { date: '2026-01-26', open: '09:15', close: '15:30', preOpen: '09:00' },
      ],
    });
    expect(s.isTradingDay('2026-11-08')).toBe(true);
    expect(s.phase(ist('2026-11-08 18:00:00'))).toBe('pre-open');
    expect(s.isOpen(ist('2026-11-08 18:15:00'))).toBe(true);
    expect(s.isOpen(ist('2026-11-08 19:15:00'))).toBe(false);
    expect(s.barsFinalAt(s.tradingDay('2026-11-08')!)).toBe(ist('2026-11-08 20:00:00'));
    expect(s.isOpen(ist('2026-01-26 10:00:00'))).toBe(true);
    expect(nse.isTradingDay('2026-11-08')).toBe(false);
  });

  it('lets an extra holiday cancel a built-in special session', () => {
    expect(makeMarketSession({ extraHolidays: ['2025-10-21'] }).isTradingDay('2025-10-21')).toBe(false);
  });

  it('refuses malformed or contradictory config', () => {
    const bad = [
      { extraHolidays: ['2025-02-30'] },
      { sessionOverrides: [{ date: '2025-06-07', open: '9:15', close: '15:30' }] },
      { sessionOverrides: [{ date: '2025-06-07', open: '15:30', close: '09:15' }] },
      { sessionOverrides: [{ date: '2025-06-07', open: '23:50', close: '23:55' }] },
      {
        sessionOverrides: [
          { date: '2025-06-07', open: '10:00', close: '11:00' },
          { date: '2025-06-07', open: '12:00', close: '13:00' },
        ],
      },
      {
        extraHolidays: ['2025-06-07'],
        sessionOverrides: [{ date: '2025-06-07', open: '10:00', close: '11:00' }],
      },
    ];
    for (const config of bad) {
      expect(() => makeMarketSession(config), JSON.stringify(config)).toThrow(MarketSessionConfigError);
    }
  });
});

describe('MarketSession properties', () => {
  const instants = fc
    .integer({ min: ist('2024-06-01 00:00:00'), max: ist('2027-06-01 00:00:00') })
    .map(epochMs);

  it('nextOpen(at) is an open instant after at, with no open instant in between', () => {
    fc.assert(
      fc.property(instants, (at) => {
        const next = nse.nextOpen(at);
        expect(next).toBeGreaterThan(at);
        expect(nse.isOpen(next)).toBe(true);
        expect(nse.isOpen(epochMs(next - 1))).toBe(false);
        // Every trading day between at's date and next's date opened at or before at.
        for (let d = istDateOf(at); d < istDateOf(next); d = addDays(d, 1)) {
          if (nse.isTradingDay(d)) expect(nse.sessionBounds(d).open).toBeLessThanOrEqual(at);
        }
      }),
    );
  });

  it('nextOpen never goes back as time goes on', () => {
    fc.assert(
      fc.property(instants, fc.nat(10 * 86_400_000), (at, dt) => {
        expect(nse.nextOpen(epochMs(at + dt))).toBeGreaterThanOrEqual(nse.nextOpen(at));
      }),
    );
  });

  it('previousTradingDays are n strictly decreasing trading days, final at `at`, with none skipped', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: 1, max: 40 }), (at, n) => {
        const days = nse.previousTradingDays(at, n);
        expect(days).toHaveLength(n);
        for (const d of days) {
          expect(nse.isTradingDay(d)).toBe(true);
          expect(nse.barsFinalAt(d)).toBeLessThanOrEqual(at);
        }
        for (let i = 1; i < days.length; i += 1) {
          const newer = days[i - 1]!;
          const older = days[i]!;
          expect(older < newer).toBe(true);
          for (let d = addDays(older, 1); d < newer; d = addDays(d, 1))
            expect(nse.isTradingDay(d), d).toBe(false);
        }
        // Nothing newer than the first is final yet.
        for (let d = addDays(days[0]!, 1); d <= istDateOf(at); d = addDays(d, 1)) {
          if (nse.isTradingDay(d)) expect(nse.barsFinalAt(d)).toBeGreaterThan(at);
        }
      }),
    );
  });
});
