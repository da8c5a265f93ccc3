import type { Shard } from '../domain/shard.ts';
import type { ShardCheckpoint } from '../domain/shard-checkpoint.ts';

/**
 * The cluster's shared checkpoint (src/domain/shard-checkpoint.ts), kept on the cluster topic:
 * partition i holds shard i's checkpoints, the newest last. Kafka is the only store: no member
 * can read another's DATA_DIR, and a dead member's last word must outlive it.
 */
export interface ShardCheckpointStore {
  /** Appends one checkpoint per shard, each to its shard's partition. */
  write(checkpoints: readonly ShardCheckpoint[]): Promise<void>;
  /**
   * The newest checkpoint of each shard, as of the call (every record written before it is seen);
   * a shard with none is absent. Rejects when Kafka does not answer in time.
   */
  newest(shards: readonly Shard[]): Promise<ReadonlyMap<Shard, ShardCheckpoint>>;
  close(): Promise<void>;
}
