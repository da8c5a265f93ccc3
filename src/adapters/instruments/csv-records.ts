/** One CSV record: its fields, or why it could not be split; `line` is where it starts (1-based). */
export type CsvRecord =
  | { readonly line: number; readonly fields: readonly string[] }
  | { readonly line: number; readonly error: string };

const quoteCount = (s: string): number => {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
};

/** Splits one record (RFC 4180: `"…"` may hold commas, newlines and `""` for a quote). */
export const splitCsvRecord = (record: string): string[] => {
  if (!record.includes('"')) return record.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i] ?? '';
    if (quoted) {
      if (c !== '"') field += c;
      else if (record[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
};

/**
 * Reads CSV records from a byte stream as the bytes arrive: only the current line (or the lines
 * of one quoted field) is ever held, never the whole file. Blank lines are skipped but counted.
 */
export async function* csvRecords(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let line = 0;
  let open: { start: number; text: string; quotes: number } | undefined;
  const take = (raw: string): CsvRecord | undefined => {
    line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (open === undefined && text === '') return undefined;
    const quotes = quoteCount(text);
    open =
      open === undefined
        ? { start: line, text, quotes }
        : { start: open.start, text: `${open.text}\n${text}`, quotes: open.quotes + quotes };
    if (open.quotes % 2 === 1) return undefined;
    const record = { line: open.start, fields: splitCsvRecord(open.text) };
    open = undefined;
    return record;
  };
  const flush = function* (text: string): Generator<CsvRecord> {
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const record = take(text.slice(from, nl));
      if (record !== undefined) yield record;
      from = nl + 1;
    }
    rest = text.slice(from);
  };
  for await (const chunk of chunks) yield* flush(rest + decoder.decode(chunk, { stream: true }));
  yield* flush(rest + decoder.decode());
  if (rest !== '') {
    const record = take(rest);
    if (record !== undefined) yield record;
  }
  if (open !== undefined) yield { line: open.start, error: 'a quoted field is never closed' };
}
