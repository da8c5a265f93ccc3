import type { Downtime } from './gap-downtime.ts';
import type { InstrumentToken } from './instrument.ts';
import { shardOf, type Shard } from './shard.ts';
import type { EpochMs } from './units.ts';

/**
 * The cluster's shared checkpoint of one shard, as its owner writes it about once a second to the
 * shard's partition of the cluster topic: each of the shard's tokens that ticked, with its last
 * accepted tick time. The member that gains the shard after its owner died reads the newest one.
 */
export interface ShardCheckpoint {
  readonly shard: Shard;
  /** Which instance wrote it (for the log and whoever reads the topic). */
  readonly owner: string;
  readonly writtenAt: EpochMs;
  readonly lastAccepted: ReadonlyMap<InstrumentToken, EpochMs>;
}

/** This member's shard checkpoints: its accepted tokens grouped by shard, one record per shard. */
export const shardCheckpointsOf = (run: {
  readonly owner: string;
  readonly writtenAt: EpochMs;
  readonly shardCount: number;
  readonly lastAccepted: ReadonlyMap<InstrumentToken, EpochMs>;
}): ShardCheckpoint[] => {
  const byShard = new Map<Shard, Map<InstrumentToken, EpochMs>>();
  for (const [token, at] of run.lastAccepted) {
    const shard = shardOf(token, run.shardCount);
    const tokens = byShard.get(shard) ?? new Map<InstrumentToken, EpochMs>();
    tokens.set(token, at);
    byShard.set(shard, tokens);
  }
  return [...byShard]
    .sort(([a], [b]) => a - b)
    .map(([shard, lastAccepted]) => ({ shard, owner: run.owner, writtenAt: run.writtenAt, lastAccepted }));
};

/**
 * What gaining shards means for their tokens: each token the previous owner's newest checkpoint
 * names went unfollowed from its last accepted tick until this member's first. A shard with no
 * checkpoint (a new cluster) gives none, nor does a token that never ticked at the previous owner.
 */
export const failoverDowntimes = (
  checkpoints: Iterable<ShardCheckpoint>,
): ReadonlyMap<InstrumentToken, Downtime> => {
  const downtimes = new Map<InstrumentToken, Downtime>();
  for (const checkpoint of checkpoints)
    for (const [token, at] of checkpoint.lastAccepted) downtimes.set(token, { from: at, cause: 'failover' });
  return downtimes;
};
