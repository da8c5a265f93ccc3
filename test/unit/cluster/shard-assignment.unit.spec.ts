import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignShardsSticky, type ShardHolder } from '../../../src/domain/shard-assignment.ts';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Shards whose owner changed between two assignments (a shard unowned before counts as moved). */
const moved = (
  before: ReadonlyMap<string, readonly number[]>,
  after: ReadonlyMap<string, readonly number[]>,
): number => {
  const ownerBefore = new Map<number, string>();
  for (const [id, shards] of before) for (const s of shards) ownerBefore.set(s, id);
  let n = 0;
  for (const [id, shards] of after) for (const s of shards) if (ownerBefore.get(s) !== id) n += 1;
  return n;
};

const holders = (a: ReadonlyMap<string, readonly number[]>): ShardHolder[] =>
  [...a].map(([id, owned]) => ({ id, owned }));

const expectComplete = (a: ReadonlyMap<string, readonly number[]>, shardCount: number): void => {
  const all = [...a.values()].flat().sort((x, y) => x - y);
  expect(all).toEqual(range(shardCount));
  const sizes = [...a.values()].map((s) => s.length);
  expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
};

describe('assignShardsSticky', () => {
  it('spreads 12 shards over 3 new members, 4 each', () => {
    const a = assignShardsSticky(
      ['a', 'b', 'c'].map((id) => ({ id, owned: [] })),
      12,
    );
    expectComplete(a, 12);
    expect([...a.values()].map((s) => s.length)).toEqual([4, 4, 4]);
  });

  it('moves only ~N/4 shards when a fourth member joins', () => {
    const three = assignShardsSticky(
      ['a', 'b', 'c'].map((id) => ({ id, owned: [] })),
      12,
    );
    const four = assignShardsSticky([...holders(three), { id: 'd', owned: [] }], 12);
    expectComplete(four, 12);
    expect(four.get('d')).toHaveLength(3);
    expect(moved(three, four)).toBe(3);
    for (const id of ['a', 'b', 'c'])
      expect(four.get(id)?.every((s) => three.get(id)?.includes(s))).toBe(true);
  });

  it('moves only the shards of a member that left', () => {
    const four = assignShardsSticky(
      ['a', 'b', 'c', 'd'].map((id) => ({ id, owned: [] })),
      12,
    );
    const gone = four.get('b') ?? [];
    const three = assignShardsSticky(
      holders(four).filter((m) => m.id !== 'b'),
      12,
    );
    expectComplete(three, 12);
    expect(moved(four, three)).toBe(gone.length);
    for (const id of ['a', 'c', 'd']) expect(three.get(id)?.length).toBe(4);
  });

  it('gives a shard two members claim to one of them only', () => {
    const a = assignShardsSticky(
      [
        { id: 'a', owned: [0, 1, 2] },
        { id: 'b', owned: [2, 3] },
      ],
      4,
    );
    expectComplete(a, 4);
    expect(a.get('a')).toEqual([0, 1]);
    expect(a.get('b')).toEqual([2, 3]);
  });

  it('ignores claims outside the shard range, and members beyond the shard count get none', () => {
    const a = assignShardsSticky(
      [
        { id: 'a', owned: [7, -1, 0] },
        { id: 'b', owned: [] },
        { id: 'c', owned: [] },
      ],
      2,
    );
    expectComplete(a, 2);
    expect(a.get('a')).toEqual([0]);
    expect([...a.values()].filter((s) => s.length === 0)).toHaveLength(1);
  });

  it('always gives every shard to exactly one member, balanced within one, each keeping what its share allows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 48 }),
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.integer({ min: -1, max: 9 }), { minLength: 48, maxLength: 48 }),
        (shardCount, ids, ownerOf) => {
          // Each shard held by at most one member before (or by none: a member that left).
          const members = ids.map((id, m) => ({
            id,
            owned: range(shardCount).filter((s) => ownerOf[s] === m),
          }));
          const a = assignShardsSticky(members, shardCount);
          expectComplete(a, shardCount);
          const share = Math.floor(shardCount / members.length);
          for (const m of members) {
            const kept = (a.get(m.id) ?? []).filter((s) => m.owned.includes(s)).length;
            expect(kept).toBeGreaterThanOrEqual(Math.min(m.owned.length, share));
          }
          const reversed = assignShardsSticky([...members].reverse(), shardCount);
          expect([...reversed].sort()).toEqual([...a].sort());
        },
      ),
    );
  });
});
