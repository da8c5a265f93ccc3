import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import type { Sleep } from '../../../src/adapters/mstock/abortable.ts';
import { RateLimiter } from '../../../src/adapters/mstock/rate-limiter.ts';
import { epochMs } from '../../../src/domain/units.ts';

/** A sleep that moves the manual clock instead of waiting. */
const clockSleep =
  (clock: ManualClock): Sleep =>
  (ms, signal) => {
    signal?.throwIfAborted();
    clock.advance(ms);
    return Promise.resolve();
  };

const setup = (perSecond: number, burst: number) => {
  const clock = new ManualClock(epochMs(0));
  const limiter = new RateLimiter({ perSecond, burst }, clock, clockSleep(clock));
  const starts: number[] = [];
  /** A call that records when it started and takes `latencyMs` of the clock's time. */
  const call = (latencyMs = 0) =>
    limiter.run(() => {
      starts.push(clock.now());
      clock.advance(latencyMs);
      return Promise.resolve(starts.length);
    });
  return { clock, limiter, starts, call };
};

describe('RateLimiter', () => {
  it('starts each call a full interval after the previous one ended, so latency cannot squeeze two into a second', async () => {
    const { starts, call } = setup(1, 1);
    for (let i = 0; i < 3; i++) await call(200);
    expect(starts).toEqual([0, 1200, 2400]);
  });

  it('serves concurrent callers one at a time, in call order', async () => {
    const { starts, call } = setup(1, 1);
    expect(await Promise.all([call(), call(), call(), call()])).toEqual([1, 2, 3, 4]);
    expect(starts).toEqual([0, 1000, 2000, 3000]);
  });

  it('lets a burst through after a quiet spell, then the sustained rate', async () => {
    const { starts, call } = setup(2, 3);
    await Promise.all([call(), call(), call(), call(), call()]);
    expect(starts).toEqual([0, 0, 0, 500, 500]);
  });

  it('does not wait at all when the rate is 0 (off)', async () => {
    const clock = new ManualClock(epochMs(0));
    const limiter = new RateLimiter({ perSecond: 0, burst: 1 }, clock, () =>
      Promise.reject(new Error('slept')),
    );
    for (let i = 0; i < 10; i++) await limiter.run(() => Promise.resolve(i));
    expect(clock.now()).toBe(0);
  });

  it('frees the slot after a failed call too, and rejects an aborted caller without blocking the next', async () => {
    const { clock, limiter, starts, call } = setup(1, 1);
    await expect(limiter.run(() => Promise.reject(new Error('502')))).rejects.toThrow('502');
    await expect(limiter.run(() => Promise.resolve(0), AbortSignal.abort())).rejects.toThrow();
    await call();
    expect(starts).toEqual([1000]);
    expect(clock.now()).toBe(1000);
  });
});
