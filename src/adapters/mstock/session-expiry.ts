import { IST_OFFSET_MS, istDayNumber } from '../../domain/ist.ts';
import { MS_PER_DAY, MS_PER_HOUR, type EpochMs } from '../../domain/units.ts';

/** m.Stock access tokens live 12 hours (mstock-protocol.md, Login step 3). */
export const SESSION_LIFETIME_MS = 12 * MS_PER_HOUR;

/** The first midnight IST strictly after `at`. */
export const nextIstMidnight = (at: EpochMs): EpochMs =>
  ((istDayNumber(at) + 1) * MS_PER_DAY - IST_OFFSET_MS) as EpochMs;

/**
 * When a token obtained at `loginAt` stops working: 12 hours after login or at midnight IST,
 * whichever comes first. There is no refresh: the only way on is a new login.
 */
export const sessionExpiry = (loginAt: EpochMs): EpochMs =>
  Math.min(loginAt + SESSION_LIFETIME_MS, nextIstMidnight(loginAt)) as EpochMs;
