import { describe, expect, it } from 'vitest';
import { nextIstMidnight, sessionExpiry } from '../../../src/adapters/mstock/session-expiry.ts';
import { istInstant, parseIstDate, parseIstTimeOfDay } from '../../../src/domain/ist.ts';

const ist = (date: string, time: string) => istInstant(parseIstDate(date)!, parseIstTimeOfDay(time)!);

describe('session expiry: 12 hours after login or midnight IST, whichever first', () => {
  it('is 12 hours after a morning login', () => {
    expect(sessionExpiry(ist('2025-03-03', '08:30'))).toBe(ist('2025-03-03', '20:30'));
  });

  it('is midnight IST after an afternoon login', () => {
    expect(sessionExpiry(ist('2025-03-03', '14:00'))).toBe(ist('2025-03-04', '00:00'));
  });

  it('is midnight when both fall together, at noon', () => {
    expect(sessionExpiry(ist('2025-03-03', '12:00'))).toBe(ist('2025-03-04', '00:00'));
  });

  it('is the coming midnight, a minute away, for a login at 23:59 IST (18:29 UTC)', () => {
    expect(sessionExpiry(ist('2025-03-03', '23:59'))).toBe(ist('2025-03-04', '00:00'));
  });

  it('takes the next midnight, not the same instant, at exactly midnight', () => {
    expect(nextIstMidnight(ist('2025-03-04', '00:00'))).toBe(ist('2025-03-05', '00:00'));
  });
});
