import { readFile } from 'node:fs/promises';
import { either as E } from 'fp-ts';
import type { Exchange, InstrumentKind } from '../domain/instrument.ts';
import { parseInstrumentCsv } from '../protocol/instrument-csv.ts';

/** An instrument the simulator quotes. The token is a number here: it is what the feed carries. */
export interface SimInstrument {
  readonly token: number;
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly kind: InstrumentKind;
  /** The price (paise) the market wanders around; default: the reference table's, by symbol. */
  readonly referencePaise?: number;
  /** A future or an option: its packets carry open interest. */
  readonly derivative?: boolean;
}

export interface InstrumentListError {
  readonly kind: 'InstrumentListError';
  readonly message: string;
}

/** Reads `symbol,token,exchange,kind` CSV text with the service's own parser, tokens as numbers. */
export const decodeInstrumentCsv = (
  text: string,
  source = 'instrument list',
): E.Either<InstrumentListError, SimInstrument[]> =>
  E.bimap(
    (errors: readonly string[]) => ({ kind: 'InstrumentListError' as const, message: errors.join('; ') }),
    (list: readonly { token: string; symbol: string; exchange: Exchange; kind: InstrumentKind }[]) =>
      list.map((i) => ({ token: Number(i.token), symbol: i.symbol, exchange: i.exchange, kind: i.kind })),
  )(parseInstrumentCsv(text, source));

/**
 * Loads and decodes an instrument list file; a bad file is an error, not an empty market. The file
 * is named by whoever starts the simulator (the package's config/nifty50.csv, for the CLI).
 */
export const loadInstrumentFile = async (file: string): Promise<SimInstrument[]> => {
  const decoded = decodeInstrumentCsv(await readFile(file, 'utf8'), file);
  if (E.isLeft(decoded)) throw new Error(decoded.left.message);
  return decoded.right;
};
