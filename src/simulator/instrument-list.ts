import { readFile } from 'node:fs/promises';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { isInstrumentToken, type Exchange, type InstrumentKind } from '../domain/instrument.ts';

/** An instrument the simulator quotes. The token is a number here: it is what the feed carries. */
export interface SimInstrument {
  readonly token: number;
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly kind: InstrumentKind;
}

export interface InstrumentListError {
  readonly kind: 'InstrumentListError';
  readonly message: string;
}

/** The Nifty 50 list shipped with the package (membership changes twice a year: users edit it). */
export const DEFAULT_INSTRUMENT_FILE = new URL('../../config/nifty50.csv', import.meta.url);

const Row = t.type({
  symbol: t.refinement(t.string, (s) => s.trim().length > 0, 'Symbol'),
  token: t.refinement(t.string, isInstrumentToken, 'InstrumentToken'),
  exchange: t.keyof({ NSE: null, BSE: null, NFO: null, BFO: null }),
  kind: t.keyof({ index: null, equity: null }),
});

const HEADER = 'symbol,token,exchange,kind';

/** Reads `symbol,token,exchange,kind` CSV text (the format of config/nifty50.csv). */
export const decodeInstrumentCsv = (text: string): E.Either<InstrumentListError, SimInstrument[]> => {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines[0]?.trim() !== HEADER) {
    return E.left({ kind: 'InstrumentListError', message: `expected the header '${HEADER}'` });
  }
  const out: SimInstrument[] = [];
  const seen = new Set<number>();
  for (const [i, line] of lines.slice(1).entries()) {
    const [symbol, token, exchange, kind, ...extra] = line.split(',').map((c) => c.trim());
    const row = Row.decode({ symbol, token, exchange, kind });
    if (E.isLeft(row) || extra.length > 0) {
      return E.left({ kind: 'InstrumentListError', message: `line ${i + 2} is not a valid row: '${line}'` });
    }
    const n = Number(row.right.token);
    if (seen.has(n)) {
      return E.left({ kind: 'InstrumentListError', message: `line ${i + 2}: token ${n} listed twice` });
    }
    seen.add(n);
    out.push({ token: n, symbol: row.right.symbol, exchange: row.right.exchange, kind: row.right.kind });
  }
  if (out.length === 0) return E.left({ kind: 'InstrumentListError', message: 'the list is empty' });
  return E.right(out);
};

/** Loads and decodes an instrument list file; a bad file is an error, not an empty market. */
export const loadInstrumentFile = async (
  file: URL | string = DEFAULT_INSTRUMENT_FILE,
): Promise<SimInstrument[]> => {
  const decoded = decodeInstrumentCsv(await readFile(file, 'utf8'));
  if (E.isLeft(decoded)) throw new Error(`${String(file)}: ${decoded.left.message}`);
  return decoded.right;
};
