import { either as E } from 'fp-ts';
import type { MasterInstrument } from '../../domain/master-instrument.ts';
import type { BadMasterRow } from '../../ports/instrument-master.ts';
import { csvRecords } from './csv-records.ts';
import { decodeMasterRow, readMasterHeader, type MasterHeader } from './master-row.ts';

/** How many bad rows are reported by line and reason; the rest are only counted. */
export const BAD_ROWS_REPORTED = 5;

export interface MasterCsvContent {
  readonly instruments: readonly MasterInstrument[];
  readonly rows: number;
  readonly badRows: { readonly count: number; readonly first: readonly BadMasterRow[] };
  readonly unsupported: number;
}

/**
 * Reads a scriptmaster CSV as it streams in, row by row. A bad row is counted and the first few
 * reported; it never stops the read. The file as a whole is refused (Left) only when it has no
 * master header or not one instrument: that is not a master, and must never replace a good copy.
 */
export const readMasterCsv = async (
  chunks: AsyncIterable<Uint8Array>,
): Promise<E.Either<string, MasterCsvContent>> => {
  let header: MasterHeader | undefined;
  const instruments: MasterInstrument[] = [];
  const first: BadMasterRow[] = [];
  let rows = 0;
  let bad = 0;
  let unsupported = 0;
  const badRow = (line: number, reason: string): void => {
    bad++;
    if (first.length < BAD_ROWS_REPORTED) first.push({ line, reason });
  };
  for await (const record of csvRecords(chunks)) {
    if (header === undefined) {
      if ('error' in record) return E.left(`line ${record.line}: ${record.error}`);
      const read = readMasterHeader(record.fields);
      if ('missing' in read)
        return E.left(`line ${record.line}: not a scriptmaster header (no ${read.missing.join(', ')})`);
      header = read;
      continue;
    }
    rows++;
    if ('error' in record) {
      badRow(record.line, record.error);
      continue;
    }
    const result = decodeMasterRow(header, record.fields);
    if (result.kind === 'instrument') instruments.push(result.instrument);
    else if (result.kind === 'unsupported') unsupported++;
    else badRow(record.line, result.reason);
  }
  if (header === undefined) return E.left('the file is empty');
  if (instruments.length === 0)
    return E.left(`no instrument in ${rows} rows (${bad} bad, ${unsupported} of other exchanges)`);
  return E.right({ instruments, rows, badRows: { count: bad, first }, unsupported });
};
