import type { EpochMs } from '../../domain/units.ts';

/**
 * Feed times count whole seconds from 1980-01-01. Whether that count is UTC or IST wall-clock is
 * an open question (mstock-protocol.md, "Time"): the SDKs assume UTC, NSE's broadcast counts IST.
 * The named setting MSTOCK_TICK_TIME_ZONE picks one; this table is the only place the epochs live.
 */
export type TickTimeZone = 'ist' | 'utc';

/** Unix seconds of the feed's second 0: 1980-01-01T00:00:00 in UTC, or in IST (UTC+05:30). */
export const FEED_EPOCH_UNIX_SECONDS: Readonly<Record<TickTimeZone, number>> = {
  utc: 315_532_800,
  ist: 315_513_000,
};

/** A feed time (seconds since 1980) as epoch ms. Callers treat 0 as "not sent" before calling. */
export const feedSecondsToEpochMs = (seconds: number, zone: TickTimeZone): EpochMs =>
  ((seconds + FEED_EPOCH_UNIX_SECONDS[zone]) * 1000) as EpochMs;

/** Epoch ms as a feed time, truncated to the whole second the feed carries. */
export const epochMsToFeedSeconds = (ms: number, zone: TickTimeZone): number =>
  Math.floor(ms / 1000) - FEED_EPOCH_UNIX_SECONDS[zone];
