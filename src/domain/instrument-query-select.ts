import { columnValue } from './instrument-query-columns.ts';
import type { ExpiryRank, InstrumentQuery, MatchValue, QueryFilter } from './instrument-query.ts';
import type { IstDate } from './ist.ts';
import type { MasterInstrument } from './master-instrument.ts';

/** Each underlying's (`name`'s) expiries from today on, earliest first. */
type ExpiriesByName = ReadonlyMap<string, readonly string[]>;

const RANK_INDEX: Readonly<Record<ExpiryRank, number>> = { nearest: 0, next: 1 };

const matchesValue = (
  row: MasterInstrument,
  value: string | number | undefined,
  m: MatchValue,
  expiries: ExpiriesByName,
): boolean => {
  if (value === undefined) return false;
  switch (m.kind) {
    case 'exact':
      return typeof value === 'number' ? value === m.number : value.toUpperCase() === m.text;
    case 'pattern':
      return m.pattern.test(String(value));
    case 'rank':
      return expiries.get(row.name.toUpperCase())?.[RANK_INDEX[m.rank]] === value;
  }
};

/** Numbers by value, expiry dates (`YYYY-MM-DD`) as text; undefined for a mix the parser never makes. */
const compare = (a: string | number, b: string | number): number | undefined => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
};

const passes = (row: MasterInstrument, f: QueryFilter, expiries: ExpiriesByName): boolean => {
  const value = columnValue(row, f.column);
  if (f.kind === 'match') {
    const hit = f.values.some((m) => matchesValue(row, value, m, expiries));
    return f.negated ? !hit : hit;
  }
  const order = value === undefined ? undefined : compare(value, f.value);
  if (order === undefined) return false;
  switch (f.op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
};

const NO_EXPIRIES: ExpiriesByName = new Map();

const usesRank = (f: QueryFilter): boolean => f.kind === 'match' && f.values.some((v) => v.kind === 'rank');

/**
 * The expiries a rank filter chooses from: those of the rows the alternative's OTHER filters match
 * (so `segment=NFO-FUT expiry=nearest` ranks futures' expiries only), from `today` on, per
 * underlying. Other rank filters are left out of that, or each would depend on the other.
 */
const expiriesFor = (
  f: QueryFilter,
  filters: readonly QueryFilter[],
  rows: readonly MasterInstrument[],
  today: IstDate,
): ExpiriesByName => {
  const others = filters.filter((o) => o !== f && !usesRank(o));
  const byName = new Map<string, Set<string>>();
  for (const row of rows) {
    if (row.expiry === undefined || row.expiry < today) continue;
    if (!others.every((o) => passes(row, o, NO_EXPIRIES))) continue;
    const name = row.name.toUpperCase();
    const set = byName.get(name) ?? new Set<string>();
    set.add(row.expiry);
    byName.set(name, set);
  }
  return new Map([...byName].map(([name, set]) => [name, [...set].sort()]));
};

const alternativeMatcher = (
  filters: readonly QueryFilter[],
  rows: readonly MasterInstrument[],
  today: IstDate,
): ((row: MasterInstrument) => boolean) => {
  const checks = filters.map((f) => ({
    f,
    expiries: usesRank(f) ? expiriesFor(f, filters, rows, today) : NO_EXPIRIES,
  }));
  return (row) => checks.every(({ f, expiries }) => passes(row, f, expiries));
};

/**
 * The master rows a query selects, in the master's order, each exchange token once. `today` (IST)
 * anchors `expiry=nearest` and `expiry=next`, so a daily re-run moves to the new expiry.
 */
export const selectInstruments = (
  query: InstrumentQuery,
  rows: readonly MasterInstrument[],
  today: IstDate,
): MasterInstrument[] => {
  const matchers = query.alternatives.map((filters) => alternativeMatcher(filters, rows, today));
  const seen = new Set<string>();
  const out: MasterInstrument[] = [];
  for (const row of rows) {
    const key = `${row.exchange}:${row.token}`;
    if (seen.has(key) || !matchers.some((matches) => matches(row))) continue;
    seen.add(key);
    out.push(row);
  }
  return out;
};
