import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instrumentToken, type Instrument } from '../../../src/domain/instrument.ts';
import { fnv1a32, instrumentsOfShards, shardOf } from '../../../src/domain/shard.ts';

const instrument = (token: number): Instrument => ({
  token: instrumentToken(token),
  symbol: `S${token}`,
  exchange: 'NSE',
  kind: 'equity',
});

describe('shardOf', () => {
  it('is FNV-1a 32-bit: the published test vectors', () => {
    // Fixed forever: instances of different versions must agree on every shard.
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('pins the shards of a few Nifty 50 tokens (12 shards)', () => {
    expect(['26000', '25', '2885', '11536'].map((t) => shardOf(instrumentToken(t), 12))).toEqual(
      ['26000', '25', '2885', '11536'].map((t) => fnv1a32(t) % 12),
    );
    expect(shardOf(instrumentToken('2885'), 1)).toBe(0);
  });

  it('puts every instrument in exactly one shard, whatever the shard count', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 0x7fffffff }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 64 }),
        (tokens, shardCount) => {
          const instruments = tokens.map(instrument);
          const seen = new Map<string, number>();
          for (let s = 0; s < shardCount; s += 1)
            for (const i of instrumentsOfShards(instruments, [s], shardCount))
              seen.set(i.token, (seen.get(i.token) ?? 0) + 1);
          expect(seen.size).toBe(instruments.length);
          expect([...seen.values()].every((n) => n === 1)).toBe(true);
          for (const i of instruments) {
            const s = shardOf(i.token, shardCount);
            expect(s).toBeGreaterThanOrEqual(0);
            expect(s).toBeLessThan(shardCount);
          }
        },
      ),
    );
  });

  it('gives the instruments of a set of shards, in their list order', () => {
    const instruments = [26000, 25, 2885, 11536, 1594].map(instrument);
    const shards = new Set(instruments.slice(0, 2).map((i) => shardOf(i.token, 7)));
    const picked = instrumentsOfShards(instruments, shards, 7);
    expect(picked.map((i) => i.token)).toEqual(
      instruments.filter((i) => shards.has(shardOf(i.token, 7))).map((i) => i.token),
    );
    expect(instrumentsOfShards(instruments, [], 7)).toEqual([]);
  });
});
