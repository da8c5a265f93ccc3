import { describe, expect, it } from 'vitest';
import { RateLimitedKeys } from '../../../src/adapters/mstock/rate-limited-keys.ts';

describe('RateLimitedKeys', () => {
  it('allows one line per key per interval and reports how many were dropped since', () => {
    const keys = new RateLimitedKeys<string>(1000, 100);
    expect(keys.allow('a', 0)).toBe(0);
    expect(keys.allow('a', 500)).toBeUndefined();
    expect(keys.allow('a', 999)).toBeUndefined();
    expect(keys.allow('b', 999)).toBe(0);
    expect(keys.allow('a', 1000)).toBe(2);
  });

  it('caps lines per second over all keys, and 0 allows none', () => {
    const keys = new RateLimitedKeys<number>(0, 3);
    const allowed = Array.from({ length: 10 }, (_, i) => keys.allow(i, 5000)).filter((x) => x !== undefined);
    expect(allowed).toHaveLength(3);
    expect(keys.allow(99, 6000)).toBe(0);
    expect(new RateLimitedKeys<number>(0, 0).allow(1, 0)).toBeUndefined();
  });
});
