import { instrumentToken, type Exchange } from '../../../src/domain/instrument.ts';
import type { IstDate } from '../../../src/domain/ist.ts';
import type { MasterInstrument } from '../../../src/domain/master-instrument.ts';

let nextToken = 100;

/** A master row with sensible defaults (an NSE equity); tokens count up unless given. */
export const row = (
  fields: Partial<Omit<MasterInstrument, 'expiry'>> & { expiry?: string },
): MasterInstrument => {
  const { expiry, ...rest } = fields;
  const token = rest.token ?? instrumentToken(nextToken++);
  return {
    exchangeToken: String(token),
    tradingSymbol: 'SYM',
    name: 'SYM',
    lastPrice: 0,
    strike: 0,
    tickSize: 0.05,
    lotSize: 1,
    instrumentType: 'EQ',
    segment: 'NSE',
    exchange: 'NSE' satisfies Exchange,
    ...rest,
    token,
    ...(expiry === undefined ? {} : { expiry: expiry as IstDate }),
  };
};

const option = (name: string, expiry: string, strike: number, type: 'CE' | 'PE'): MasterInstrument =>
  row({
    tradingSymbol: `${name}${expiry.replaceAll('-', '')}${strike}${type}`,
    name,
    expiry,
    strike,
    instrumentType: type,
    segment: 'NFO-OPT',
    exchange: 'NFO',
    lotSize: name === 'NIFTY' ? 75 : 35,
  });

/** Today for these rows: a Thursday; NIFTY's 2026-12-01 options have expired. */
export const TODAY = '2026-12-03' as IstDate;

/** A small master: equities on NSE and BSE, two indices, NIFTY and BANKNIFTY futures and options. */
export const MASTER: readonly MasterInstrument[] = [
  row({
    token: instrumentToken(2885),
    tradingSymbol: 'RELIANCE',
    name: 'RELIANCE INDUSTRIES',
    lastPrice: 1250.5,
  }),
  row({ token: instrumentToken(11536), tradingSymbol: 'TCS', name: 'TATA CONSULTANCY', lastPrice: 3400 }),
  row({
    token: instrumentToken(500325),
    tradingSymbol: 'RELIANCE',
    name: 'RELIANCE INDUSTRIES',
    segment: 'BSE',
    exchange: 'BSE',
  }),
  row({
    token: instrumentToken(26000),
    tradingSymbol: 'NIFTY 50',
    name: 'NIFTY 50',
    instrumentType: 'INDEX',
    segment: 'INDICES',
  }),
  row({
    token: instrumentToken(26009),
    tradingSymbol: 'NIFTY BANK',
    name: 'NIFTY BANK',
    instrumentType: 'INDEX',
    segment: 'INDICES',
  }),
  row({
    tradingSymbol: 'NIFTY25DECFUT',
    name: 'NIFTY',
    expiry: '2026-12-29',
    instrumentType: 'FUT',
    segment: 'NFO-FUT',
    exchange: 'NFO',
  }),
  row({
    tradingSymbol: 'NIFTY26JANFUT',
    name: 'NIFTY',
    expiry: '2027-01-26',
    instrumentType: 'FUT',
    segment: 'NFO-FUT',
    exchange: 'NFO',
  }),
  option('NIFTY', '2026-12-01', 21000, 'CE'),
  option('NIFTY', '2026-12-08', 21000, 'CE'),
  option('NIFTY', '2026-12-08', 21000, 'PE'),
  option('NIFTY', '2026-12-08', 22000, 'CE'),
  option('NIFTY', '2026-12-08', 23000, 'CE'),
  option('NIFTY', '2026-12-15', 21000, 'CE'),
  option('NIFTY', '2026-12-29', 21000, 'CE'),
  option('BANKNIFTY', '2026-12-29', 48000, 'CE'),
  option('BANKNIFTY', '2027-01-26', 48000, 'CE'),
];
