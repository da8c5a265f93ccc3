import { instrumentToken } from '../../../src/domain/instrument.ts';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import { epochMs, rupees, type EpochMs } from '../../../src/domain/units.ts';

export const nse = makeMarketSession();
export const ist = (s: string): EpochMs => epochMs(Date.parse(`${s.replace(' ', 'T')}+05:30`));
export const RELIANCE = instrumentToken(2885);
export const TCS = instrumentToken(11536);
export const NIFTY = instrumentToken(26000);
/** Thursday 2026-11-19, in the continuous session. */
export const TRADING = ist('2026-11-19 10:00:00');
/** The same day at night. */
export const NIGHT = ist('2026-11-19 21:00:00');

/** A plausible live tick of RELIANCE received at `at`, stamped by the exchange 50 ms earlier. */
export const tick = (at: EpochMs, over: Partial<Tick> = {}): Tick => ({
  token: RELIANCE,
  ltp: rupees(1500),
  volume: 1000,
  exchangeTime: epochMs(at - 50),
  receivedAt: at,
  source: 'live',
  seq: 0,
  close: rupees(1480),
  ...over,
});
