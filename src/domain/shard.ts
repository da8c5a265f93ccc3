import type { Instrument, InstrumentToken } from './instrument.ts';

/** A shard's number, 0 .. CLUSTER_SHARDS - 1: partition i of the cluster topic is shard i. */
export type Shard = number;

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a, 32 bits, over the token's UTF-16 code units (a token is ASCII digits, so these are its
 * bytes). Never change it: instances of different versions in one cluster must put every
 * instrument in the same shard, or an instrument would be followed twice or not at all.
 */
export const fnv1a32 = (text: string): number => {
  let hash = FNV_OFFSET_BASIS;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
};

/** The shard an instrument belongs to: stable-hash(token) mod the shard count. */
export const shardOf = (token: InstrumentToken, shardCount: number): Shard => fnv1a32(token) % shardCount;

/** The instruments of these shards, in the order given. */
export const instrumentsOfShards = (
  instruments: readonly Instrument[],
  shards: Iterable<Shard>,
  shardCount: number,
): Instrument[] => {
  const wanted = new Set(shards);
  return instruments.filter((i) => wanted.has(shardOf(i.token, shardCount)));
};
