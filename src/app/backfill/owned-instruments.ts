import type { InstrumentToken } from '../../domain/instrument.ts';
import type { Shard } from '../../domain/shard.ts';
import type { BackfillRequest } from './plan-request.ts';

/** A shard a cluster member owns, with its instruments. */
export interface OwnedShard {
  readonly shard: Shard;
  readonly tokens: readonly InstrumentToken[];
}

/**
 * The shards a cluster member owns (CLUSTER_GROUP): its start-up and START_BACKFILL backfills
 * cover only their instruments, one plan per shard, so the members together ask the broker for
 * each instrument once, and a shard that moves takes its plan along.
 */
export interface OwnedInstruments {
  /** The shards owned now and their instruments; waits for the member's first assignment. */
  ownedShards(): Promise<readonly OwnedShard[]>;
}

/** One shard's part of a request. */
export interface ShardRequest {
  readonly shard: Shard;
  readonly request: BackfillRequest;
}

/**
 * A request split into one per owned shard, with the shard's instruments it asks for (shards in
 * order; a shard with none of them has no part). A derived plan id already differs per instrument
 * set; a given id (an idempotency key every member hears) becomes `<id>-s<shard>`, the same on
 * whichever member owns the shard, so a moved shard's new owner finds the plan.
 */
export const splitByShard = (request: BackfillRequest, owned: readonly OwnedShard[]): ShardRequest[] => {
  const asked = new Set(request.tokens);
  return [...owned]
    .sort((a, b) => a.shard - b.shard)
    .flatMap(({ shard, tokens }) => {
      const mine = [...new Set(tokens.filter((t) => asked.has(t)))];
      if (mine.length === 0) return [];
      const id = request.id === undefined ? {} : { id: `${request.id}-s${shard}` };
      return [{ shard, request: { ...request, ...id, tokens: mine } }];
    });
};
