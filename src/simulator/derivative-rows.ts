import { dayNumberOfIstDate, type IstDate } from '../domain/ist.ts';
import type { TradingDay } from '../domain/market-session.ts';
import type { MasterRow } from './master-row.ts';

/** An index that futures and weekly options are listed on. */
export interface Underlying {
  /** The master's `name` column of its contracts: 'NIFTY', 'BANKNIFTY'. */
  readonly name: string;
  /** The index level in rupees that prices its contracts. */
  readonly spot: number;
  readonly strikeStep: number;
  readonly lotSize: number;
}

/** Strikes on each side of the one nearest the spot. */
const STRIKES_EACH_SIDE = 100;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Kite's weekly symbols write the month as one character: 1-9, then O, N, D. */
const WEEKLY_MONTH_CODES = '123456789OND';
const CARRY_PER_YEAR = 0.065;

/** Hands out derivative tokens from a range of their own, apart from every equity and index token. */
export class TokenCounter {
  #next: number;
  readonly #end: number;
  constructor(first: number, end: number) {
    this.#next = first;
    this.#end = end;
  }
  take(): number {
    if (this.#next >= this.#end) throw new RangeError(`derivative tokens ran out at ${this.#end}`);
    return this.#next++;
  }
}

const yy = (expiry: TradingDay): string => expiry.slice(2, 4);
const monthIndex = (expiry: TradingDay): number => Number(expiry.slice(5, 7)) - 1;

/** 'NIFTY25DEC' for a monthly expiry, 'NIFTY25D09' for a weekly one (Kite's conventions). */
const symbolStem = (name: string, expiry: TradingDay, monthly: boolean): string =>
  monthly
    ? `${name}${yy(expiry)}${MONTHS[monthIndex(expiry)] ?? ''}`
    : `${name}${yy(expiry)}${WEEKLY_MONTH_CODES[monthIndex(expiry)] ?? ''}${expiry.slice(8, 10)}`;

const toTick = (rupees: number): number => Math.max(0.05, Math.round(rupees * 20) / 20);

const daysBetween = (from: IstDate, to: TradingDay): number =>
  Math.max(0, dayNumberOfIstDate(to) - dayNumberOfIstDate(from));

export const futureRow = (
  u: Underlying,
  expiry: TradingDay,
  today: IstDate,
  tokens: TokenCounter,
): MasterRow => ({
  token: tokens.take(),
  tradingSymbol: `${symbolStem(u.name, expiry, true)}FUT`,
  name: u.name,
  lastPrice: toTick(u.spot * (1 + (CARRY_PER_YEAR * daysBetween(today, expiry)) / 365)),
  expiry,
  strike: 0,
  tickSize: 0.05,
  lotSize: u.lotSize,
  instrumentType: 'FUT',
  segment: 'NFO-FUT',
  exchange: 'NFO',
});

/**
 * A rough premium: what the option is worth now, plus time value that fades with the distance
 * from the spot and grows with the days left. Not a pricing model: a plausible anchor.
 */
const premium = (u: Underlying, strike: number, type: 'CE' | 'PE', daysLeft: number): number => {
  const intrinsic = Math.max(0, type === 'CE' ? u.spot - strike : strike - u.spot);
  const distance = Math.abs(strike - u.spot) / u.spot;
  const timeValue = u.spot * 0.008 * Math.sqrt((daysLeft + 1) / 7) * Math.exp(-distance / 0.02);
  return toTick(intrinsic + timeValue + 0.5);
};

/** CE and PE at every strike of the band around the spot, for one expiry. */
export const optionChainRows = (
  u: Underlying,
  expiry: TradingDay,
  monthly: boolean,
  today: IstDate,
  tokens: TokenCounter,
): MasterRow[] => {
  const atm = Math.round(u.spot / u.strikeStep) * u.strikeStep;
  const stem = symbolStem(u.name, expiry, monthly);
  const daysLeft = daysBetween(today, expiry);
  const rows: MasterRow[] = [];
  for (let i = -STRIKES_EACH_SIDE; i <= STRIKES_EACH_SIDE; i++) {
    const strike = atm + i * u.strikeStep;
    for (const type of ['CE', 'PE'] as const) {
      rows.push({
        token: tokens.take(),
        tradingSymbol: `${stem}${strike}${type}`,
        name: u.name,
        lastPrice: premium(u, strike, type, daysLeft),
        expiry,
        strike,
        tickSize: 0.05,
        lotSize: u.lotSize,
        instrumentType: type,
        segment: 'NFO-OPT',
        exchange: 'NFO',
      });
    }
  }
  return rows;
};
