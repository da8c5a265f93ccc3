import { addDays, istDateOf, istInstant, type IstTimeOfDay } from './ist.ts';
import type { MarketSession } from './market-session.ts';
import type { EpochMs } from './units.ts';

/** Far enough to pass any run of holidays and weekends NSE has had (Diwali, year ends). */
const MAX_DAYS_AHEAD = 30;

/**
 * When the instrument selection is next evaluated: `refreshAt` (IST) of the first trading day whose
 * `refreshAt` is strictly after `at`. The master changes overnight (expiries, listings), so once
 * before each session is enough; weekends and holidays have no session to prepare.
 */
export const nextSelectionRefresh = (
  session: MarketSession,
  at: EpochMs,
  refreshAt: IstTimeOfDay,
): EpochMs => {
  const today = istDateOf(at);
  for (let d = 0; d <= MAX_DAYS_AHEAD; d += 1) {
    const day = addDays(today, d);
    const when = istInstant(day, refreshAt);
    if (when > at && session.isTradingDay(day)) return when;
  }
  // A calendar with no trading day for a month is misconfigured; look again in a day rather than never.
  return istInstant(addDays(today, 1), refreshAt);
};
