import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { TickSequencer } from '../../../src/domain/tick-sequencer.ts';
import { epochMs } from '../../../src/domain/units.ts';

const RELIANCE = instrumentToken(2885);
const TCS = instrumentToken(11536);
const t = (ms: number) => epochMs(1_750_000_000_000 + ms);

describe('TickSequencer', () => {
  it('numbers ticks of one token at one time 0, 1, 2 and starts again at a new time', () => {
    const seq = new TickSequencer();
    expect([seq.next(RELIANCE, t(0)), seq.next(RELIANCE, t(0)), seq.next(RELIANCE, t(0))]).toEqual([0, 1, 2]);
    expect(seq.next(RELIANCE, t(1000))).toBe(0);
    expect(seq.next(RELIANCE, t(1000))).toBe(1);
  });

  it('counts each token on its own', () => {
    const seq = new TickSequencer();
    expect(seq.next(RELIANCE, t(0))).toBe(0);
    expect(seq.next(TCS, t(0))).toBe(0);
    expect(seq.next(RELIANCE, t(0))).toBe(1);
    expect(seq.next(TCS, t(0))).toBe(1);
    expect(seq.next(TCS, t(5))).toBe(0);
    expect(seq.next(RELIANCE, t(0))).toBe(2);
  });

  it('follows runs of equal times: a time seen before another one starts again at 0', () => {
    const seq = new TickSequencer();
    seq.next(RELIANCE, t(0));
    seq.next(RELIANCE, t(0));
    seq.next(RELIANCE, t(1));
    expect(seq.next(RELIANCE, t(0))).toBe(0);
  });

  it('forgets every token on clear', () => {
    const seq = new TickSequencer();
    seq.next(RELIANCE, t(0));
    seq.clear();
    expect(seq.next(RELIANCE, t(0))).toBe(0);
  });

  it('gives (token, time, seq) triples that never repeat for time-ordered ticks', () => {
    const ticks = fc.array(fc.record({ token: fc.constantFrom(RELIANCE, TCS), dt: fc.nat(2) }), {
      maxLength: 200,
    });
    fc.assert(
      fc.property(ticks, (steps) => {
        const seq = new TickSequencer();
        const clock = new Map<string, number>();
        const seen = new Set<string>();
        for (const { token, dt } of steps) {
          const time = (clock.get(token) ?? 0) + dt;
          clock.set(token, time);
          const id = `${token}:${time}:${seq.next(token, t(time))}`;
          expect(seen.has(id)).toBe(false);
          seen.add(id);
        }
      }),
    );
  });
});
