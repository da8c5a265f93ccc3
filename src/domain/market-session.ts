import {
  IST_OFFSET_MS,
  SATURDAY,
  SUNDAY,
  dayNumberOfIstDate,
  istDateOfDayNumber,
  istDayNumber,
  istTime,
  parseIstDate,
  parseIstTimeOfDay,
  weekdayOfDayNumber,
  type IstDate,
} from './ist.ts';
import { NSE_HOLIDAYS, NSE_SPECIAL_SESSIONS } from './nse-holidays.ts';
import { MS_PER_DAY, MS_PER_MINUTE, type EpochMs } from './units.ts';

/**
 * The NSE equity calendar: when the market trades, in IST.
 *
 * Phases of a trading day, each from its start inclusive to the next one's start exclusive:
 * - `closed` until 09:00;
 * - `pre-open` 09:00–09:15: order entry until 09:08, then matching and a buffer. No continuous
 *   trading happens in it, so it is one phase; the feed may already send the call-auction price;
 * - `open` 09:15–15:30, the continuous session;
 * - `post-close` 15:30–16:00, the closing-price session;
 * - `closed` from 16:00. Weekends and holidays are `closed` all day.
 * A day's bars are final at 16:15 (mstock-protocol.md, "Historical candles"), 45 minutes after
 * the close; special sessions keep these distances from their own open and close.
 */
export type MarketPhase = 'closed' | 'pre-open' | 'open' | 'post-close';

declare const tradingDayBrand: unique symbol;
/** An IST date, 'YYYY-MM-DD', on which the market holds a session. Built by `MarketSession.tradingDay`. */
export type TradingDay = IstDate & { readonly [tradingDayBrand]: 'TradingDay' };

/** A day's continuous session: from `open` inclusive to `close` exclusive. */
export interface SessionWindow {
  readonly day: TradingDay;
  readonly open: EpochMs;
  readonly close: EpochMs;
}

/** Hours for one date, IST wall clock 'HH:MM' or 'HH:MM:SS': a Muhurat session, a special Saturday. */
export interface SessionOverride {
  readonly date: string;
  readonly open: string;
  readonly close: string;
  /** Start of pre-open; 15 minutes before `open` when absent. */
  readonly preOpen?: string;
}

export interface MarketSessionConfig {
  /** Dates ('YYYY-MM-DD') the exchange closes beyond the built-in table. */
  readonly extraHolidays?: readonly string[];
  /**
   * Dates that trade with the given hours, whatever the weekday or the holiday table says. They
   * replace the built-in special sessions of the same date.
   */
  readonly sessionOverrides?: readonly SessionOverride[];
}

/** Plain functions, no `this`: `session.isOpen` can be handed around as it is. */
export interface MarketSession {
  readonly phase: (at: EpochMs) => MarketPhase;
  /** In the continuous session: 09:15:00.000 inclusive to 15:30:00.000 exclusive on a trading day. */
  readonly isOpen: (at: EpochMs) => boolean;
  /** The smart constructor of `TradingDay`, as a type guard. False for malformed dates. */
  readonly isTradingDay: (date: string) => date is TradingDay;
  readonly tradingDay: (date: string) => TradingDay | undefined;
  /** The IST date of `at` if the market trades that day, else undefined (a weekend, a holiday). */
  readonly tradingDayOf: (at: EpochMs) => TradingDay | undefined;
  /**
   * The `n` latest trading days whose bars are final at `at` (`barsFinalAt(day) <= at`), newest
   * first. So on a trading day, a backfill at 18:00 includes that day and one at 10:00 or 16:00
   * does not; on a weekend or holiday it ends with the last trading day before it.
   */
  readonly previousTradingDays: (at: EpochMs, n: number) => TradingDay[];
  /** The first session open strictly after `at`: today's if `at` is before it, else a later day's. */
  readonly nextOpen: (at: EpochMs) => EpochMs;
  readonly sessionBounds: (day: TradingDay) => SessionWindow;
  /** When the broker's bars of `day` can be taken as final: 45 minutes after the close (16:15). */
  readonly barsFinalAt: (day: TradingDay) => EpochMs;
}

/** A config that names an impossible date or hours. Config is decoded at the edge; this guards the rest. */
export class MarketSessionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarketSessionConfigError';
  }
}

/** Milliseconds after 00:00 IST. */
interface DaySchedule {
  readonly preOpen: number;
  readonly open: number;
  readonly close: number;
  readonly postCloseEnd: number;
}

const PRE_OPEN_LEAD = 15 * MS_PER_MINUTE;
const POST_CLOSE_LENGTH = 30 * MS_PER_MINUTE;
const BARS_FINAL_AFTER_CLOSE = 45 * MS_PER_MINUTE;

const REGULAR_SESSION: DaySchedule = {
  preOpen: istTime(9, 0),
  open: istTime(9, 15),
  close: istTime(15, 30),
  postCloseEnd: istTime(16, 0),
};

/** A run of this many days without a session means a broken config, not a calendar. */
const MAX_DAYS_WITHOUT_SESSION = 3660;

const parseDate = (s: string, what: string): IstDate => {
  const d = parseIstDate(s);
  if (d === undefined) throw new MarketSessionConfigError(`${what}: '${s}' is not a YYYY-MM-DD date`);
  return d;
};

const parseTime = (s: string, what: string): number => {
  const t = parseIstTimeOfDay(s);
  if (t === undefined) throw new MarketSessionConfigError(`${what}: '${s}' is not an HH:MM time`);
  return t;
};

const scheduleOfOverride = (o: SessionOverride): DaySchedule => {
  const what = `session override ${o.date}`;
  const open = parseTime(o.open, what);
  const close = parseTime(o.close, what);
  const preOpen = o.preOpen === undefined ? open - PRE_OPEN_LEAD : parseTime(o.preOpen, what);
  const postCloseEnd = close + POST_CLOSE_LENGTH;
  if (!(preOpen >= 0 && preOpen <= open && open < close && postCloseEnd <= MS_PER_DAY)) {
    throw new MarketSessionConfigError(`${what}: needs pre-open <= open < close, all within the day`);
  }
  return { preOpen, open, close, postCloseEnd };
};

export const makeMarketSession = (config: MarketSessionConfig = {}): MarketSession => {
  const holidays = new Set<string>(NSE_HOLIDAYS.map((h) => h.date));
  const userHolidays = new Set<string>(
    (config.extraHolidays ?? []).map((d) => parseDate(d, 'extra holiday')),
  );
  const overrides = new Map<string, DaySchedule>();
  // The user's holidays close even a built-in special session; the user's overrides replace it.
  for (const s of NSE_SPECIAL_SESSIONS) {
    if (!userHolidays.has(s.date)) overrides.set(s.date, scheduleOfOverride(s));
  }
  const seen = new Set<string>();
  for (const o of config.sessionOverrides ?? []) {
    const date = parseDate(o.date, 'session override');
    if (seen.has(date)) throw new MarketSessionConfigError(`session override ${date}: given twice`);
    if (userHolidays.has(date)) {
      throw new MarketSessionConfigError(`${date} is both an extra holiday and a session override`);
    }
    seen.add(date);
    overrides.set(date, scheduleOfOverride(o));
  }
  for (const d of userHolidays) holidays.add(d);

  // One-entry memo: phase() and isOpen() are asked about the same day over and over.
  let memoDay = Number.NaN;
  let memoSchedule: DaySchedule | undefined;
  const scheduleOf = (day: number): DaySchedule | undefined => {
    if (day === memoDay) return memoSchedule;
    const date = istDateOfDayNumber(day);
    const weekday = weekdayOfDayNumber(day);
    const schedule =
      overrides.get(date) ??
      (holidays.has(date) || weekday === SATURDAY || weekday === SUNDAY ? undefined : REGULAR_SESSION);
    memoDay = day;
    memoSchedule = schedule;
    return schedule;
  };

  const instant = (day: number, timeOfDay: number): EpochMs =>
    (day * MS_PER_DAY + timeOfDay - IST_OFFSET_MS) as EpochMs;

  const tooFar = (from: EpochMs): never => {
    throw new RangeError(`no trading day within ${MAX_DAYS_WITHOUT_SESSION} days of ${from}`);
  };

  const phase = (at: EpochMs): MarketPhase => {
    const day = istDayNumber(at);
    const s = scheduleOf(day);
    if (s === undefined) return 'closed';
    const t = at + IST_OFFSET_MS - day * MS_PER_DAY;
    if (t < s.preOpen) return 'closed';
    if (t < s.open) return 'pre-open';
    if (t < s.close) return 'open';
    if (t < s.postCloseEnd) return 'post-close';
    return 'closed';
  };

  const isTradingDay = (date: string): date is TradingDay => {
    const d = parseIstDate(date);
    return d !== undefined && scheduleOf(dayNumberOfIstDate(d)) !== undefined;
  };

  const scheduleOfTradingDay = (day: TradingDay): DaySchedule =>
    // A TradingDay made by another session's config may not trade here: it keeps regular hours.
    scheduleOf(dayNumberOfIstDate(day)) ?? REGULAR_SESSION;

  return {
    phase,
    isOpen: (at) => phase(at) === 'open',
    isTradingDay,
    tradingDay: (date) => (isTradingDay(date) ? date : undefined),
    tradingDayOf: (at) => {
      const day = istDayNumber(at);
      return scheduleOf(day) === undefined ? undefined : (istDateOfDayNumber(day) as TradingDay);
    },
    previousTradingDays: (at, n) => {
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`day count must be a whole number: ${n}`);
      const days: TradingDay[] = [];
      let lastFound = istDayNumber(at);
      for (let day = lastFound; days.length < n; day -= 1) {
        const s = scheduleOf(day);
        if (s !== undefined && instant(day, s.close + BARS_FINAL_AFTER_CLOSE) <= at) {
          days.push(istDateOfDayNumber(day) as TradingDay);
          lastFound = day;
        } else if (lastFound - day > MAX_DAYS_WITHOUT_SESSION) {
          tooFar(at);
        }
      }
      return days;
    },
    nextOpen: (at) => {
      const first = istDayNumber(at);
      for (let day = first; day - first <= MAX_DAYS_WITHOUT_SESSION; day += 1) {
        const s = scheduleOf(day);
        if (s !== undefined && instant(day, s.open) > at) return instant(day, s.open);
      }
      return tooFar(at);
    },
    sessionBounds: (day) => {
      const s = scheduleOfTradingDay(day);
      const n = dayNumberOfIstDate(day);
      return { day, open: instant(n, s.open), close: instant(n, s.close) };
    },
    barsFinalAt: (day) =>
      instant(dayNumberOfIstDate(day), scheduleOfTradingDay(day).close + BARS_FINAL_AFTER_CLOSE),
  };
};
