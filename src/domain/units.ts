/**
 * Branded scalars for the values that are easy to mix up. Each pair has exactly one conversion,
 * defined here and tested at its edges.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Milliseconds since 1970-01-01T00:00:00Z. */
export type EpochMs = Brand<number, 'EpochMs'>;
/** Whole seconds since 1970-01-01T00:00:00Z. */
export type EpochSeconds = Brand<number, 'EpochSeconds'>;
/** An amount in paise, as the exchange feed carries prices (1 rupee = 100 paise). */
export type Paise = Brand<number, 'Paise'>;
/** An amount in rupees. */
export type Rupees = Brand<number, 'Rupees'>;

export const epochMs = (n: number): EpochMs => n as EpochMs;
export const epochSeconds = (n: number): EpochSeconds => n as EpochSeconds;
export const paise = (n: number): Paise => n as Paise;
export const rupees = (n: number): Rupees => n as Rupees;

export const msToSeconds = (ms: EpochMs): EpochSeconds => Math.floor(ms / 1000) as EpochSeconds;
export const secondsToMs = (s: EpochSeconds): EpochMs => (s * 1000) as EpochMs;

/**
 * Paise to rupees. Division by 100 gives the nearest double to the two-decimal value
 * (2150050 / 100 === 21500.5), which is what JSON consumers expect to read.
 */
export const paiseToRupees = (p: Paise): Rupees => (p / 100) as Rupees;
/** Rupees to paise, rounded to the nearest paisa (prices are always whole paise on NSE). */
export const rupeesToPaise = (r: Rupees): Paise => Math.round(r * 100) as Paise;

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;
