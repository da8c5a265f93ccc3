import { describe, expect, it } from 'vitest';
import { RATE_WINDOW_GRACE_MS, RequestRateLimit } from '../../../src/simulator/request-rate-limit.ts';

describe('simulator: request rate limit', () => {
  it('lets `perSecond` requests through per second and refuses the next', () => {
    let now = 0;
    const limit = new RequestRateLimit(2, () => now);
    expect([limit.tryTake(), limit.tryTake(), limit.tryTake()]).toEqual([true, true, false]);
    now = 1000 - RATE_WINDOW_GRACE_MS - 1;
    expect(limit.tryTake()).toBe(false);
    now = 1000 - RATE_WINDOW_GRACE_MS;
    expect(limit.tryTake()).toBe(true);
  });

  it('does not count refused requests against the window', () => {
    let now = 0;
    const limit = new RequestRateLimit(1, () => now);
    expect(limit.tryTake()).toBe(true);
    now = 500;
    expect(limit.tryTake()).toBe(false);
    now = 1000;
    expect(limit.tryTake()).toBe(true);
  });

  it('is off at 0', () => {
    const limit = new RequestRateLimit(0, () => 0);
    expect(Array.from({ length: 100 }, () => limit.tryTake()).every(Boolean)).toBe(true);
  });
});
