import type { MasterInstrument } from '../../../domain/master-instrument.ts';
import type { InstrumentMasterSnapshot } from '../../../ports/instrument-master.ts';

/** How many selected instruments each segment has, segments in the order they first appear. */
const perSegment = (selected: readonly MasterInstrument[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const i of selected) counts.set(i.segment, (counts.get(i.segment) ?? 0) + 1);
  return counts;
};

/** A selected instrument under the master's own column names. */
const asRow = (i: MasterInstrument) => ({
  instrument_token: i.token,
  exchange_token: i.exchangeToken,
  tradingsymbol: i.tradingSymbol,
  name: i.name,
  last_price: i.lastPrice,
  expiry: i.expiry ?? null,
  strike: i.strike,
  tick_size: i.tickSize,
  lot_size: i.lotSize,
  instrument_type: i.instrumentType,
  segment: i.segment,
  exchange: i.exchange,
});

const masterSummary = (m: InstrumentMasterSnapshot) => ({
  day: m.day,
  source: m.source,
  fetchedAt: new Date(m.fetchedAt).toISOString(),
  rows: m.rows,
  instruments: m.instruments.length,
  badRows: m.badRows,
  unsupported: m.unsupported,
});

/** `tickflow instruments --json`: one document. */
export const selectionJson = (
  query: string,
  master: InstrumentMasterSnapshot,
  selected: readonly MasterInstrument[],
  limit: number,
) => ({
  query,
  master: masterSummary(master),
  selected: selected.length,
  perSegment: Object.fromEntries(perSegment(selected)),
  instruments: selected.slice(0, limit).map(asRow),
});

const TABLE_COLUMNS = [
  'instrument_token',
  'exchange',
  'segment',
  'tradingsymbol',
  'name',
  'expiry',
  'strike',
  'lot_size',
  'instrument_type',
] as const;

const table = (rows: readonly MasterInstrument[]): string[] => {
  const cells = rows.map((i) => {
    const r = asRow(i);
    return TABLE_COLUMNS.map((c) => String(r[c] ?? '-'));
  });
  const widths = TABLE_COLUMNS.map((c, k) => Math.max(c.length, ...cells.map((row) => row[k]?.length ?? 0)));
  const line = (row: readonly string[]): string =>
    `  ${row.map((v, k) => v.padEnd(widths[k] ?? 0)).join('  ')}`.trimEnd();
  return [line(TABLE_COLUMNS), ...cells.map(line)];
};

/** `tickflow instruments`: the counts, per segment, then the first `limit` rows as a table. */
export const renderSelection = (
  query: string,
  master: InstrumentMasterSnapshot,
  selected: readonly MasterInstrument[],
  limit: number,
): string => {
  const from = master.source === 'downloaded' ? 'downloaded now' : `copy of ${master.day}`;
  const lines = [
    `Query: ${query}`,
    `Master: ${master.rows} rows (${from}): ${master.instruments.length} instruments, ` +
      `${master.badRows.count} bad rows, ${master.unsupported} of other exchanges`,
    ...master.badRows.first.map((b) => `  bad row at line ${b.line}: ${b.reason}`),
    `Selected: ${selected.length} instruments`,
    ...[...perSegment(selected)].map(([segment, n]) => `  ${segment}: ${n}`),
  ];
  const shown = selected.slice(0, limit);
  if (shown.length > 0) {
    lines.push(shown.length < selected.length ? `First ${shown.length}:` : 'All of them:', ...table(shown));
  }
  return `${lines.join('\n')}\n`;
};
