import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, type Brand, type EpochMs } from './units.ts';

/**
 * India Standard Time wall-clock arithmetic. IST is UTC+05:30 all year (India has kept no daylight
 * saving since 1945), so a fixed offset is exact and no time-zone database is needed.
 */
export const IST_OFFSET_MS = 5 * MS_PER_HOUR + 30 * MS_PER_MINUTE;

/** A calendar date in IST, 'YYYY-MM-DD'. Any day, trading or not. */
export type IstDate = Brand<string, 'IstDate'>;

/** Milliseconds since 00:00 IST of the same IST date, 0 to 86_399_999. */
export type IstTimeOfDay = Brand<number, 'IstTimeOfDay'>;

export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;
export const SUNDAY: Weekday = 0;
export const SATURDAY: Weekday = 6;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * Days since 1970-01-01 of an IST date. Date.UTC is plain proleptic-Gregorian arithmetic: it
 * reads no zone data, whatever the host's TZ.
 */
const dayNumberOfYmd = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / MS_PER_DAY;

/** The smart constructor: a real calendar date in 'YYYY-MM-DD' form, or undefined. */
export const parseIstDate = (s: string): IstDate | undefined => {
  const m = DATE_PATTERN.exec(s);
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1) return undefined;
  // Round-trip through the day number rejects 2025-02-30 and friends.
  return istDateOfDayNumber(dayNumberOfYmd(y, mo, d)) === s ? (s as IstDate) : undefined;
};

/** Days since 1970-01-01 (IST) of an IST date. */
export const dayNumberOfIstDate = (date: IstDate): number => {
  const [y, m, d] = date.split('-').map(Number);
  return dayNumberOfYmd(y ?? 0, m ?? 0, d ?? 0);
};

export const istDateOfDayNumber = (day: number): IstDate => {
  const utc = new Date(day * MS_PER_DAY);
  return `${utc.getUTCFullYear()}-${pad2(utc.getUTCMonth() + 1)}-${pad2(utc.getUTCDate())}` as IstDate;
};

/** The IST day number of an instant: which IST calendar day it falls in. */
export const istDayNumber = (at: EpochMs): number => Math.floor((at + IST_OFFSET_MS) / MS_PER_DAY);

export const istDateOf = (at: EpochMs): IstDate => istDateOfDayNumber(istDayNumber(at));

export const istTimeOfDay = (at: EpochMs): IstTimeOfDay =>
  (at + IST_OFFSET_MS - istDayNumber(at) * MS_PER_DAY) as IstTimeOfDay;

/** The instant at a wall-clock time of an IST date. */
export const istInstant = (date: IstDate, time: IstTimeOfDay): EpochMs =>
  (dayNumberOfIstDate(date) * MS_PER_DAY + time - IST_OFFSET_MS) as EpochMs;

/** 1970-01-01 was a Thursday. */
export const weekdayOfDayNumber = (day: number): Weekday => (((day % 7) + 7 + 4) % 7) as Weekday;

export const istWeekday = (date: IstDate): Weekday => weekdayOfDayNumber(dayNumberOfIstDate(date));

export const addDays = (date: IstDate, days: number): IstDate =>
  istDateOfDayNumber(dayNumberOfIstDate(date) + days);

export const istTime = (hours: number, minutes: number, seconds = 0): IstTimeOfDay =>
  (hours * MS_PER_HOUR + minutes * MS_PER_MINUTE + seconds * MS_PER_SECOND) as IstTimeOfDay;

/** 'HH:MM' or 'HH:MM:SS' (24-hour) to a time of day, or undefined. */
export const parseIstTimeOfDay = (s: string): IstTimeOfDay | undefined => {
  const m = TIME_PATTERN.exec(s);
  return m === null ? undefined : istTime(Number(m[1]), Number(m[2]), Number(m[3] ?? 0));
};

/** 'YYYY-MM-DD HH:MM:SS' in IST, the form the broker's historical API takes; milliseconds are dropped. */
export const formatIstDateTime = (at: EpochMs): string => {
  const t = istTimeOfDay(at);
  const h = Math.floor(t / MS_PER_HOUR);
  const m = Math.floor((t % MS_PER_HOUR) / MS_PER_MINUTE);
  const s = Math.floor((t % MS_PER_MINUTE) / MS_PER_SECOND);
  return `${istDateOf(at)} ${pad2(h)}:${pad2(m)}:${pad2(s)}`;
};
