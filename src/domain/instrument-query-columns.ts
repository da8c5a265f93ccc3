import { MASTER_COLUMNS, type MasterColumn, type MasterInstrument } from './master-instrument.ts';

/** A query names the master's columns by the CSV's own names. */
export const QUERY_COLUMNS = MASTER_COLUMNS;

export type QueryColumn = MasterColumn;

/** How a column's values compare: numbers numerically, expiry as a date, the rest as text. */
export type ColumnType = 'number' | 'date' | 'text';

export const COLUMN_TYPES: Readonly<Record<QueryColumn, ColumnType>> = {
  instrument_token: 'number',
  exchange_token: 'number',
  tradingsymbol: 'text',
  name: 'text',
  last_price: 'number',
  expiry: 'date',
  strike: 'number',
  tick_size: 'number',
  lot_size: 'number',
  instrument_type: 'text',
  segment: 'text',
  exchange: 'text',
};

export const isQueryColumn = (s: string): s is QueryColumn =>
  (QUERY_COLUMNS as readonly string[]).includes(s);

/** Where each column's value is in a decoded row. */
const FIELDS: Readonly<Record<QueryColumn, keyof MasterInstrument>> = {
  instrument_token: 'token',
  exchange_token: 'exchangeToken',
  tradingsymbol: 'tradingSymbol',
  name: 'name',
  last_price: 'lastPrice',
  expiry: 'expiry',
  strike: 'strike',
  tick_size: 'tickSize',
  lot_size: 'lotSize',
  instrument_type: 'instrumentType',
  segment: 'segment',
  exchange: 'exchange',
};

/** A row's value in a column (tokens as numbers); undefined only for the expiry of what does not expire. */
export const columnValue = (row: MasterInstrument, column: QueryColumn): string | number | undefined => {
  const value = row[FIELDS[column]];
  return COLUMN_TYPES[column] === 'number' && typeof value === 'string' ? Number(value) : value;
};

const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
};

/**
 * The column a mistyped name most likely meant: a few letters off (`segmnet`), or a part of the
 * name (`token`, `symbol`, `type`); undefined when nothing is close.
 */
export const nearestColumn = (typed: string): QueryColumn | undefined => {
  const word = typed.toLowerCase();
  let best: { column: QueryColumn; distance: number } | undefined;
  for (const column of QUERY_COLUMNS) {
    const distance = editDistance(word, column);
    if (best === undefined || distance < best.distance) best = { column, distance };
  }
  if (best !== undefined && best.distance <= Math.max(2, Math.floor(word.length / 3))) return best.column;
  return word.length >= 3 ? QUERY_COLUMNS.find((c) => c.includes(word)) : undefined;
};
