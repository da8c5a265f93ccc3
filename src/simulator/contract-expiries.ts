import { addDays, dayNumberOfIstDate, istDateOfDayNumber, istWeekday, type IstDate } from '../domain/ist.ts';
import type { MarketSession, TradingDay } from '../domain/market-session.ts';
import { MS_PER_DAY } from '../domain/units.ts';

/** NSE's index derivatives expire on Tuesdays (since September 2025). */
const TUESDAY = 2;

/** The trading day on or before `date`: an expiry that falls on a holiday moves a day earlier. */
const onOrBefore = (session: MarketSession, date: IstDate): TradingDay => {
  for (let d = dayNumberOfIstDate(date); d > dayNumberOfIstDate(date) - 15; d--) {
    const day = session.tradingDay(istDateOfDayNumber(d));
    if (day !== undefined) return day;
  }
  throw new RangeError(`no trading day in the two weeks up to ${date}`);
};

/** The `count` weekly expiries on or after `from`: each Tuesday, or the trading day before it. */
export const weeklyExpiries = (session: MarketSession, from: IstDate, count: number): TradingDay[] => {
  const out: TradingDay[] = [];
  let date = addDays(from, (TUESDAY - istWeekday(from) + 7) % 7);
  // A Tuesday holiday can move its expiry before `from`: look one week back as well.
  date = addDays(date, -7);
  while (out.length < count) {
    const expiry = onOrBefore(session, date);
    if (expiry >= from && !out.includes(expiry)) out.push(expiry);
    date = addDays(date, 7);
  }
  return out;
};

const lastTuesdayOfMonth = (year: number, month: number): IstDate => {
  const last = istDateOfDayNumber(Date.UTC(year, month + 1, 0) / MS_PER_DAY);
  return addDays(last, -((istWeekday(last) - TUESDAY + 7) % 7));
};

/** The `count` monthly expiries on or after `from`: the month's last Tuesday, or the trading day before. */
export const monthlyExpiries = (session: MarketSession, from: IstDate, count: number): TradingDay[] => {
  const out: TradingDay[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7)) - 1;
  while (out.length < count) {
    const expiry = onOrBefore(session, lastTuesdayOfMonth(year, month));
    if (expiry >= from) out.push(expiry);
    month += 1;
    if (month === 12) {
      month = 0;
      year += 1;
    }
  }
  return out;
};
