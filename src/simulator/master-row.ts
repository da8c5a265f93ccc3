import type { Exchange } from '../domain/instrument.ts';
import type { SimInstrument } from './instrument-list.ts';

export type MasterInstrumentType = 'EQ' | 'INDEX' | 'FUT' | 'CE' | 'PE';
/** Kite's segment names, which m.Stock's master copies (mstock-protocol.md, "Instruments"). */
export type MasterSegment = 'NSE' | 'BSE' | 'INDICES' | 'NFO-FUT' | 'NFO-OPT';

/** One row of the instrument master the simulator serves, in the units of the CSV. */
export interface MasterRow {
  readonly token: number;
  readonly tradingSymbol: string;
  readonly name: string;
  /** Rupees. */
  readonly lastPrice: number;
  /** 'YYYY-MM-DD', a trading day; '' for equities and indices. */
  readonly expiry: string;
  /** Rupees; 0 but for options. */
  readonly strike: number;
  readonly tickSize: number;
  readonly lotSize: number;
  readonly instrumentType: MasterInstrumentType;
  readonly segment: MasterSegment;
  readonly exchange: Exchange;
}

export const MASTER_CSV_HEADER =
  'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange';

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export const masterCsvLine = (r: MasterRow): string =>
  [
    String(r.token),
    String(r.token),
    csvField(r.tradingSymbol),
    csvField(r.name),
    String(r.lastPrice),
    r.expiry,
    String(r.strike),
    String(r.tickSize),
    String(r.lotSize),
    r.instrumentType,
    r.segment,
    r.exchange,
  ].join(',');

export const isDerivativeRow = (r: MasterRow): boolean =>
  r.instrumentType === 'FUT' || r.instrumentType === 'CE' || r.instrumentType === 'PE';

/** What the market quotes for a row: priced around its last_price; futures and options carry OI. */
export const instrumentOfRow = (r: MasterRow): SimInstrument => ({
  token: r.token,
  symbol: r.tradingSymbol,
  exchange: r.exchange,
  kind: r.instrumentType === 'INDEX' ? 'index' : 'equity',
  referencePaise: Math.round(r.lastPrice * 100),
  derivative: isDerivativeRow(r),
});
