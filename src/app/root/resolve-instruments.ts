import { either as E } from 'fp-ts';
import { isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import { loadInstrumentCsv } from '../../adapters/instruments/instrument-csv.ts';
import { instrumentToken, isInstrumentToken, type Instrument } from '../../domain/instrument.ts';
import type { AppConfig } from './config/app-config.ts';
import { expectedLine } from './config/setting.ts';
import { packageRoot } from '../../adapters/system/package-root.ts';

/**
 * The instruments to follow: the INSTRUMENTS_FILE list (config/nifty50.csv by default, found in
 * the working folder or else in the package), narrowed to INSTRUMENTS when that is set. A token in
 * INSTRUMENTS that the file does not name is still followed, as an NSE equity named by its token.
 */
export const resolveInstruments = async (
  config: AppConfig,
): Promise<E.Either<readonly string[], readonly Instrument[]>> => {
  const file =
    isAbsolute(config.instrumentsFile) || existsSync(config.instrumentsFile)
      ? config.instrumentsFile
      : join(packageRoot(), config.instrumentsFile);
  const listed = await loadInstrumentCsv(file);
  if (E.isLeft(listed)) return E.left(listed.left.map((l) => `INSTRUMENTS_FILE: ${l}`));
  const wanted = config.instruments;
  if (wanted === undefined) return listed;
  const bad = wanted.filter((t) => !isInstrumentToken(t));
  if (bad.length > 0)
    return E.left([expectedLine('INSTRUMENTS', 'instrument tokens (positive integers)', bad.join(','))]);
  const byToken = new Map(listed.right.map((i) => [i.token as string, i]));
  return E.right(
    wanted.map(
      (t): Instrument =>
        byToken.get(t) ?? { token: instrumentToken(t), symbol: t, exchange: 'NSE', kind: 'equity' },
    ),
  );
};
