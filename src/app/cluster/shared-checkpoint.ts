import type { Downtime } from '../../domain/gap-downtime.ts';
import type { InstrumentToken } from '../../domain/instrument.ts';
import type { Shard } from '../../domain/shard.ts';
import { failoverDowntimes, shardCheckpointsOf } from '../../domain/shard-checkpoint.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Metrics } from '../../ports/metrics.ts';
import type { ShardCheckpointStore } from '../../ports/shard-checkpoint-store.ts';

export interface SharedCheckpointDeps {
  readonly store: ShardCheckpointStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface SharedCheckpointSettings {
  /** This instance, as its records name it. */
  readonly owner: string;
  readonly shardCount: number;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The cluster's shared checkpoint, from this member's side: it publishes the last accepted tick of
 * each token it follows, one record per shard, whenever the downtime recorder writes its own
 * checkpoint (about once a second); and it reads, for shards it gains, what their previous owner
 * last published, which becomes each token's `failover` downtime.
 */
export class SharedCheckpoint {
  private readonly deps: SharedCheckpointDeps;
  private readonly settings: SharedCheckpointSettings;
  private readonly failures: Counter;
  private writing = false;
  private writeFailing = false;

  constructor(deps: SharedCheckpointDeps, settings: SharedCheckpointSettings) {
    this.deps = deps;
    this.settings = settings;
    this.failures = deps.metrics.counter(
      'cluster_checkpoint_failures_total',
      'Shared shard checkpoints that could not be written or read on the cluster topic',
    );
  }

  /** One write at a time: while Kafka is slow a round is skipped, and the next carries newer ticks. */
  publish(lastAccepted: ReadonlyMap<InstrumentToken, EpochMs>, writtenAt: EpochMs): void {
    if (this.writing) return;
    const checkpoints = shardCheckpointsOf({ ...this.settings, writtenAt, lastAccepted });
    if (checkpoints.length === 0) return;
    this.writing = true;
    this.deps.store
      .write(checkpoints)
      .then(() => {
        this.writeFailing = false;
      })
      .catch((e: unknown) => {
        this.failures.inc();
        // Once per outage, not once a second.
        if (!this.writeFailing)
          this.deps.logger.warn(
            'Could not write the shared shard checkpoint; a failover meanwhile starts its gap earlier',
            {
              error: errorText(e),
            },
          );
        this.writeFailing = true;
      })
      .finally(() => {
        this.writing = false;
      });
  }

  /**
   * The `failover` downtime of each token of the shards gained, from their previous owners' newest
   * checkpoints. Unreadable in time: logged and counted, and none (their first ticks here open no
   * failover gap), rather than holding the shards unfollowed.
   */
  async failovers(shards: readonly Shard[]): Promise<ReadonlyMap<InstrumentToken, Downtime>> {
    try {
      const found = await this.deps.store.newest(shards);
      if (found.size > 0)
        this.deps.logger.info("Read the previous owners' checkpoints of the shards gained", {
          shards: [...found.keys()].join(','),
          owners: [...new Set([...found.values()].map((c) => c.owner))].join(','),
        });
      return failoverDowntimes(found.values());
    } catch (e) {
      this.failures.inc();
      this.deps.logger.error(
        'Could not read the shared checkpoint of the shards gained; no failover gap for them',
        {
          shards: shards.join(','),
          error: errorText(e),
        },
      );
      return new Map();
    }
  }
}
