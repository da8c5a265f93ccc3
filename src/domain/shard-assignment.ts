import type { Shard } from './shard.ts';

/** A group member as the assignment sees it: its id, and the shards it holds now (its own word). */
export interface ShardHolder {
  readonly id: string;
  readonly owned: readonly Shard[];
}

/**
 * A sticky assignment of `shardCount` shards over the members: every shard to exactly one member,
 * every member `floor(S/n)` or one more (balanced within one), and each member keeps as many of the
 * shards it holds now as its share allows, so a rebalance moves only what must move. A shard two
 * members both claim (a stale claim across a rebalance) stays with the first by id. The result is
 * the same whatever order the members come in.
 */
export const assignShardsSticky = (
  members: readonly ShardHolder[],
  shardCount: number,
): ReadonlyMap<string, readonly Shard[]> => {
  const byId = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out = new Map<string, Shard[]>(byId.map((m) => [m.id, []]));
  if (byId.length === 0) return out;
  const claimed = new Set<Shard>();
  const claims = new Map<string, Shard[]>();
  for (const m of byId) {
    const valid = [...new Set(m.owned)]
      .filter((s) => Number.isInteger(s) && s >= 0 && s < shardCount && !claimed.has(s))
      .sort((a, b) => a - b);
    for (const s of valid) claimed.add(s);
    claims.set(m.id, valid);
  }
  const base = Math.floor(shardCount / byId.length);
  // The members that hold the most now get the larger shares: fewer shards move.
  const largerShares = new Set(
    [...byId]
      .sort((a, b) => (claims.get(b.id)?.length ?? 0) - (claims.get(a.id)?.length ?? 0))
      .slice(0, shardCount % byId.length)
      .map((m) => m.id),
  );
  const quota = (id: string): number => base + (largerShares.has(id) ? 1 : 0);
  const kept = new Set<Shard>();
  for (const m of byId) {
    const mine = (claims.get(m.id) ?? []).slice(0, quota(m.id));
    for (const s of mine) kept.add(s);
    out.set(m.id, mine);
  }
  const free: Shard[] = [];
  for (let s = 0; s < shardCount; s += 1) if (!kept.has(s)) free.push(s);
  for (const m of byId) {
    const mine = out.get(m.id) ?? [];
    while (mine.length < quota(m.id)) {
      const next = free.shift();
      if (next === undefined) break;
      mine.push(next);
    }
    mine.sort((a, b) => a - b);
  }
  return out;
};
