import { either as E } from 'fp-ts';
import { readFile } from 'node:fs/promises';
import type { Instrument } from '../../domain/instrument.ts';
import { parseInstrumentCsv } from '../../protocol/instrument-csv.ts';

/** Reads and parses an instrument list file; an unreadable file is an error like a bad line. */
export const loadInstrumentCsv = async (
  path: string,
): Promise<E.Either<readonly string[], readonly Instrument[]>> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return E.left([`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return parseInstrumentCsv(text, path);
};
