import type { Exchange, Instrument, InstrumentToken } from './instrument.ts';
import type { IstDate } from './ist.ts';

/** The scriptmaster's columns, as its CSV header names them (mstock-protocol.md). */
export const MASTER_COLUMNS = [
  'instrument_token',
  'exchange_token',
  'tradingsymbol',
  'name',
  'last_price',
  'expiry',
  'strike',
  'tick_size',
  'lot_size',
  'instrument_type',
  'segment',
  'exchange',
] as const;

export type MasterColumn = (typeof MASTER_COLUMNS)[number];

/** The exchanges tickflow follows; a master row of any other (MCX, CDS, ...) is unsupported. */
export const SUPPORTED_EXCHANGES: readonly Exchange[] = ['NSE', 'BSE', 'NFO', 'BFO'];

export const isSupportedExchange = (s: string): s is Exchange =>
  (SUPPORTED_EXCHANGES as readonly string[]).includes(s);

/**
 * One row of the broker's instrument master (Kite-format scriptmaster CSV), decoded. Text columns
 * are kept as the broker writes them (upper case in practice); the selection language compares
 * them without regard to case.
 */
export interface MasterInstrument {
  /** `instrument_token`: what the feed subscribes (mstock-protocol.md: equals the exchange token). */
  readonly token: InstrumentToken;
  readonly exchangeToken: string;
  readonly tradingSymbol: string;
  /** The underlying for derivatives (`NIFTY`, `BANKNIFTY`), the company or index name otherwise. */
  readonly name: string;
  /** Rupees, as the master writes it (often 0 outside market hours). */
  readonly lastPrice: number;
  /** Futures and options only. */
  readonly expiry?: IstDate;
  /** Rupees; 0 for anything but options. */
  readonly strike: number;
  readonly tickSize: number;
  readonly lotSize: number;
  /** `EQ`, `FUT`, `CE`, `PE`, `INDEX`, ... */
  readonly instrumentType: string;
  /** `NSE`, `BSE`, `NFO-OPT`, `NFO-FUT`, `INDICES`, ... */
  readonly segment: string;
  readonly exchange: Exchange;
}

const isIndexRow = (m: MasterInstrument): boolean =>
  m.instrumentType.toUpperCase() === 'INDEX' || m.segment.toUpperCase() === 'INDICES';

/**
 * The instrument the feed follows for a master row. An index has its own packet layout; futures
 * and options quote like equities (OI included), so they are `equity` to the feed.
 */
export const instrumentOfMaster = (m: MasterInstrument): Instrument => ({
  token: m.token,
  symbol: m.tradingSymbol,
  exchange: m.exchange,
  kind: isIndexRow(m) ? 'index' : 'equity',
});
