import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelay } from '../../../src/adapters/mstock/backoff.ts';

const settings = { initialMs: 100, maxMs: 5000, multiplier: 2 };

describe('backoffDelay (capped exponential, full jitter)', () => {
  it('draws between 0 and a ceiling that doubles per attempt', () => {
    const top = (attempt: number) => backoffDelay(settings, attempt, () => 0.999_999);
    expect([0, 1, 2, 3, 4, 5].map(top)).toEqual([99, 199, 399, 799, 1599, 3199]);
    expect(backoffDelay(settings, 3, () => 0)).toBe(0);
    expect(backoffDelay(settings, 3, () => 0.5)).toBe(400);
  });

  it('never exceeds the cap, however many attempts failed', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const wait = backoffDelay(settings, attempt, () => r);
          return wait >= 0 && wait < settings.maxMs;
        },
      ),
    );
  });
});
