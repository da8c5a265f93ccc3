import { either as E } from 'fp-ts';
import { MasterCopies } from '../../adapters/instruments/master-copies.ts';
import { readMasterCsv } from '../../adapters/instruments/read-master-csv.ts';
import type { Instrument } from '../../domain/instrument.ts';
import { formatQueryError } from '../../domain/instrument-query.ts';
import { parseInstrumentQuery } from '../../domain/instrument-query-parse.ts';
import { selectInstruments } from '../../domain/instrument-query-select.ts';
import { onePerToken } from '../../domain/instrument-selection.ts';
import { istDateOf } from '../../domain/ist.ts';
import { instrumentOfMaster } from '../../domain/master-instrument.ts';
import { epochMs } from '../../domain/units.ts';
import type { BackfillInstruments } from '../backfill/backfill-parent.ts';
import type { AppConfig } from './config/app-config.ts';
import { resolveInstruments } from './resolve-instruments.ts';

/**
 * INSTRUMENTS_QUERY for a backfill run on its own (`tickflow backfill`): evaluated on the newest
 * master copy the service or `tickflow instruments` kept in DATA_DIR (the backfill process itself
 * does not log in); without a copy, the start stops saying how to get one.
 */
const queriedInstruments = async (config: AppConfig, text: string): Promise<readonly Instrument[]> => {
  const query = parseInstrumentQuery(text);
  if (E.isLeft(query))
    throw new Error(query.left.map((e) => `INSTRUMENTS_QUERY: ${formatQueryError(e)}`).join('; '));
  const copies = new MasterCopies(config.dataDir);
  const copy = await copies.latest();
  if (copy === undefined)
    throw new Error(
      `INSTRUMENTS_QUERY: no instrument master copy in ${copies.dir}; run \`tickflow instruments\` (or the service) once to download it`,
    );
  const content = await readMasterCsv(copies.read(copy.path));
  if (E.isLeft(content)) throw new Error(`INSTRUMENTS_QUERY: ${copy.path} is unreadable: ${content.left}`);
  const rows = selectInstruments(query.right, content.right.instruments, istDateOf(epochMs(Date.now())));
  return onePerToken(rows.map(instrumentOfMaster)).kept;
};

/**
 * The configured instruments for a process that does not log in (a backfill or a replay on its
 * own): `resolveInstruments`, or INSTRUMENTS_QUERY on the kept master.
 */
export const loadConfiguredInstruments = async (config: AppConfig): Promise<readonly Instrument[]> => {
  if (config.instrumentsQuery !== undefined) return queriedInstruments(config, config.instrumentsQuery);
  const resolved = await resolveInstruments(config);
  if (E.isLeft(resolved)) throw new Error(resolved.left.join('; '));
  return resolved.right;
};

/** The configured instruments, as the backfill uses them. */
export const loadBackfillInstruments = async (config: AppConfig): Promise<BackfillInstruments> => {
  const instruments = await loadConfiguredInstruments(config);
  const byToken = new Map<string, Instrument>(instruments.map((i) => [i.token, i]));
  return {
    tokens: instruments.map((i) => i.token),
    exchangeOf: (token) => byToken.get(token)?.exchange ?? 'NSE',
  };
};
