import type { AppConfig } from '../../../src/app/root/config/app-config.ts';
import { loadBackfillInstruments } from '../../../src/app/root/backfill-instruments.ts';
import type { MarketSession } from '../../../src/domain/market-session.ts';
import type { EpochMs } from '../../../src/domain/units.ts';
import type { RunningSimulator } from '../../../src/simulator/start-simulator.ts';

export { waitFor } from '../../support/wait-for.ts';

/** The tick ids a backfill of `days` trading days before `now` must produce: one per token and minute. */
export const expectedIds = async (
  config: AppConfig,
  session: MarketSession,
  now: EpochMs,
  days: number,
): Promise<Set<string>> => {
  const { tokens } = await loadBackfillInstruments(config);
  const windows = session.previousTradingDays(now, days).map(session.sessionBounds);
  const ids = new Set<string>();
  for (const token of tokens)
    for (const w of windows)
      for (let t: number = w.open; t < w.close; t += 60_000) ids.add(`${token}:${t}:0:b`);
  return ids;
};

/** Successful historical requests the simulator answered, by token (from the request path). */
export const historicalByToken = (sim: RunningSimulator): Map<string, number> => {
  const out = new Map<string, number>();
  for (const r of sim.stats().rest.requests) {
    if (r.route !== 'historical' || r.status !== 200) continue;
    const token = r.path.split('/').at(-2) ?? '';
    out.set(token, (out.get(token) ?? 0) + 1);
  }
  return out;
};

export const total = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
