import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IST_OFFSET_MS,
  addDays,
  formatIstDateTime,
  istDateOf,
  istInstant,
  istTimeOfDay,
  istWeekday,
  parseIstDate,
  parseIstTimeOfDay,
} from '../../../src/domain/ist.ts';
import { epochMs } from '../../../src/domain/units.ts';

/** An instant from IST wall-clock text, read by the platform's own parser, not by the code under test. */
const ist = (s: string) => epochMs(Date.parse(`${s.replace(' ', 'T')}+05:30`));
const date = (s: string) => parseIstDate(s)!;

const instants = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }).map(epochMs);

describe('IST wall clock', () => {
  it('is UTC+05:30', () => {
    expect(IST_OFFSET_MS).toBe(19_800_000);
  });

  it('puts an instant in its IST date, not its UTC date', () => {
    // 2025-06-01 19:00 UTC is 00:30 on June 2 in India.
    expect(istDateOf(epochMs(Date.UTC(2025, 5, 1, 19, 0)))).toBe('2025-06-02');
    expect(istDateOf(ist('2025-06-02 00:00:00.000'))).toBe('2025-06-02');
    expect(istDateOf(ist('2025-06-01 23:59:59.999'))).toBe('2025-06-01');
  });

  it('reads the wall-clock time of day', () => {
    expect(istTimeOfDay(ist('2025-06-02 09:15:00'))).toBe((9 * 60 + 15) * 60 * 1000);
    expect(istTimeOfDay(ist('2025-06-02 00:00:00'))).toBe(0);
  });

  it('accepts real dates only', () => {
    expect(parseIstDate('2024-02-29')).toBe('2024-02-29');
    for (const bad of [
      '2025-02-29',
      '2025-13-01',
      '2025-04-31',
      '2025-1-01',
      '25-01-01',
      '',
      '2025-01-01T00:00',
    ]) {
      expect(parseIstDate(bad), bad).toBeUndefined();
    }
  });

  it('reads HH:MM and HH:MM:SS times', () => {
    expect(parseIstTimeOfDay('13:45')).toBe((13 * 60 + 45) * 60_000);
    expect(parseIstTimeOfDay('09:08:30')).toBe((9 * 60 + 8) * 60_000 + 30_000);
    for (const bad of ['24:00', '9:15', '09:60', '09:15:60', ''])
      expect(parseIstTimeOfDay(bad), bad).toBeUndefined();
  });

  it('adds days across month and year ends', () => {
    expect(addDays(date('2025-12-31'), 1)).toBe('2026-01-01');
    expect(addDays(date('2024-03-01'), -1)).toBe('2024-02-29');
  });

  it('knows the weekday', () => {
    expect(istWeekday(date('2025-06-07'))).toBe(6);
    expect(istWeekday(date('2025-06-08'))).toBe(0);
    expect(istWeekday(date('2026-01-01'))).toBe(4);
  });

  it('formats for the broker in IST', () => {
    expect(formatIstDateTime(ist('2025-03-13 15:29:59.999'))).toBe('2025-03-13 15:29:59');
    expect(formatIstDateTime(epochMs(Date.UTC(2025, 2, 13, 3, 45)))).toBe('2025-03-13 09:15:00');
  });

  it('agrees with the platform shifted by 05:30, and round-trips date plus time of day', () => {
    fc.assert(
      fc.property(instants, (at) => {
        const shifted = new Date(at + 19_800_000);
        expect(istDateOf(at)).toBe(shifted.toISOString().slice(0, 10));
        expect(istWeekday(istDateOf(at))).toBe(shifted.getUTCDay());
        expect(istInstant(istDateOf(at), istTimeOfDay(at))).toBe(at);
      }),
    );
  });
});
