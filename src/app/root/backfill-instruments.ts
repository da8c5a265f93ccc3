import { either as E } from 'fp-ts';
import type { Instrument } from '../../domain/instrument.ts';
import type { BackfillInstruments } from '../backfill/backfill-parent.ts';
import type { AppConfig } from './config/app-config.ts';
import { resolveInstruments } from './resolve-instruments.ts';

/** The configured instruments (`resolveInstruments`), as the backfill uses them. */
export const loadBackfillInstruments = async (config: AppConfig): Promise<BackfillInstruments> => {
  const resolved = await resolveInstruments(config);
  if (E.isLeft(resolved)) throw new Error(resolved.left.join('; '));
  const byToken = new Map<string, Instrument>(resolved.right.map((i) => [i.token, i]));
  return {
    tokens: resolved.right.map((i) => i.token),
    exchangeOf: (token) => byToken.get(token)?.exchange ?? 'NSE',
  };
};
