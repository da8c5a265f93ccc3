import { describe, expect, it } from 'vitest';
import { RecentTickIds } from '../../../examples/dedupe-consumer/recent-tick-ids.ts';

const ids = (token: string, from: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${token}:${(from + i) * 60_000}:0:b`);

describe('RecentTickIds, the example consumer’s window', () => {
  it('finds a repeat while fewer than the window’s size of other ids of its token came between', () => {
    const seen = new RecentTickIds(3);
    expect(ids('26000', 0, 3).map((id) => seen.firstSeen('26000', id))).toEqual([true, true, true]);
    // Ids 0, 1, 2 in the window: all three repeats are found, and repeats do not push anything out.
    expect(ids('26000', 0, 3).map((id) => seen.firstSeen('26000', id))).toEqual([false, false, false]);
    expect(seen.firstSeen('26000', ids('26000', 3, 1)[0]!)).toBe(true);
    // Id 3 pushed id 0 out: three other ids came after it, as many as the window holds.
    expect(seen.firstSeen('26000', ids('26000', 0, 1)[0]!)).toBe(true);
    expect(seen.firstSeen('26000', ids('26000', 2, 1)[0]!)).toBe(false);
  });

  it('keeps a window per token: another token’s ticks never push an id out', () => {
    const seen = new RecentTickIds(2);
    const first = ids('26000', 0, 1)[0]!;
    expect(seen.firstSeen('26000', first)).toBe(true);
    for (const id of ids('25', 0, 100)) expect(seen.firstSeen('25', id)).toBe(true);
    expect(seen.firstSeen('26000', first)).toBe(false);
  });

  it('refuses a window that holds nothing', () => {
    expect(() => new RecentTickIds(0)).toThrow(RangeError);
  });
});
