import { isInstrumentToken, type InstrumentToken } from '../../domain/instrument.ts';
import { parseIstDate, type IstDate } from '../../domain/ist.ts';
import {
  MASTER_COLUMNS,
  isSupportedExchange,
  type MasterColumn,
  type MasterInstrument,
} from '../../domain/master-instrument.ts';

/** Where each column is in a row, read from the header. */
export type MasterHeader = Readonly<Record<MasterColumn, number>>;

/** The header's column positions, or the columns it lacks. */
export const readMasterHeader = (
  fields: readonly string[],
): MasterHeader | { readonly missing: string[] } => {
  const names = fields.map((f) => f.trim().toLowerCase());
  const missing = MASTER_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) return { missing };
  return Object.fromEntries(MASTER_COLUMNS.map((c) => [c, names.indexOf(c)])) as MasterHeader;
};

export type MasterRowResult =
  | { readonly kind: 'instrument'; readonly instrument: MasterInstrument }
  | { readonly kind: 'unsupported' }
  | { readonly kind: 'bad'; readonly reason: string };

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

class BadField extends Error {}

/**
 * Decodes one data row at the boundary. A row of an exchange tickflow does not follow is
 * `unsupported` whatever else it holds; any other problem makes it `bad`, with the column named.
 */
export const decodeMasterRow = (header: MasterHeader, fields: readonly string[]): MasterRowResult => {
  const text = (column: MasterColumn): string => (fields[header[column]] ?? '').trim();
  const required = (column: MasterColumn): string => {
    const value = text(column);
    if (value === '') throw new BadField(`${column} is empty`);
    return value;
  };
  /** Empty means 0 where the master leaves it blank (last_price, strike of a non-option). */
  const number = (column: MasterColumn, blank?: number): number => {
    const value = text(column);
    if (value === '' && blank !== undefined) return blank;
    if (!NUMBER.test(value)) throw new BadField(`${column} "${value}" is not a number`);
    return Number(value);
  };
  const columns = Math.max(...Object.values(header)) + 1;
  if (fields.length < columns)
    return { kind: 'bad', reason: `${fields.length} columns where the header has ${columns}` };
  const exchange = text('exchange').toUpperCase();
  if (!isSupportedExchange(exchange)) {
    return exchange === '' ? { kind: 'bad', reason: 'exchange is empty' } : { kind: 'unsupported' };
  }
  try {
    const token = required('instrument_token');
    if (!isInstrumentToken(token))
      throw new BadField(`instrument_token "${token}" is not a positive 32-bit integer`);
    const expiryText = text('expiry');
    const expiry: IstDate | undefined = expiryText === '' ? undefined : parseIstDate(expiryText);
    if (expiryText !== '' && expiry === undefined)
      throw new BadField(`expiry "${expiryText}" is not a date YYYY-MM-DD`);
    const instrument: MasterInstrument = {
      token: token satisfies InstrumentToken,
      exchangeToken: required('exchange_token'),
      tradingSymbol: required('tradingsymbol'),
      name: text('name'),
      lastPrice: number('last_price', 0),
      ...(expiry === undefined ? {} : { expiry }),
      strike: number('strike', 0),
      tickSize: number('tick_size'),
      lotSize: number('lot_size'),
      instrumentType: required('instrument_type'),
      segment: required('segment'),
      exchange,
    };
    return { kind: 'instrument', instrument };
  } catch (e) {
    if (e instanceof BadField) return { kind: 'bad', reason: e.message };
    throw e;
  }
};
