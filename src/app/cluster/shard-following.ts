import type { Instrument, InstrumentToken } from '../../domain/instrument.ts';
import { instrumentsOfShards, type Shard } from '../../domain/shard.ts';
import type { ClusterMembership } from '../../ports/cluster-membership.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';

/** What following shards needs of the running live path: add and remove instruments. */
export interface FollowedInstruments {
  add(tokens: readonly InstrumentToken[]): boolean;
  remove(tokens: readonly InstrumentToken[]): boolean;
}

export interface ShardFollowingDeps {
  readonly membership: ClusterMembership;
  readonly pipeline: FollowedInstruments;
  /** Every instrument of the cluster at start; this instance follows those of the shards it owns. */
  readonly instruments: readonly Instrument[];
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The membership can never work as configured (the error names the setting): the service stops. */
  readonly onRefused: (error: unknown) => void;
  /**
   * Called with the shards gained before their instruments are added: reads what their previous
   * owner left in the shared checkpoint, so that their first ticks here open `failover` gaps.
   */
  readonly takeOver?: (shards: readonly Shard[]) => Promise<void>;
  /**
   * Called with the shards lost, and awaited, before anything else of the assignment: the backfill
   * stops working on their plans, so that their new owner resumes them from the shared event log.
   */
  readonly release?: (shards: readonly Shard[]) => Promise<void>;
  /** Told of the shards gained once the assignment is applied (the first one's too): the backfill adopts their plans. */
  readonly gained?: (shards: readonly Shard[]) => void;
}

export interface ShardFollowingSettings {
  readonly group: string;
  readonly shardCount: number;
}

export interface RunningShardFollowing {
  /** `joining` until the first assignment, for /readyz (undefined once there). */
  readiness(): string | undefined;
  /** The shards owned now and their instruments, once the first assignment came (the backfill's scope). */
  ownedShards(): Promise<readonly { readonly shard: Shard; readonly tokens: readonly InstrumentToken[] }[]>;
  /**
   * The cluster's instruments changed (the selection's daily refresh): the owned shards' new
   * instruments are added and their departed ones removed, after any assignment being applied.
   */
  replaceInstruments(instruments: readonly Instrument[]): Promise<void>;
  /** Leaves the group (the others take the shards at once); the instruments stay followed until the pipeline stops. */
  stop(): Promise<void>;
}

/** How often cluster_member is brought up to date with the membership. */
const MEMBER_GAUGE_MS = 1000;

/**
 * Follows the shards the group assigns this instance: on each assignment, the instruments of lost
 * shards are removed from the running live path and those of new shards added; a shard kept is not
 * touched. One log line on joining and one per assignment, none per tick.
 */
export const startShardFollowing = (
  deps: ShardFollowingDeps,
  settings: ShardFollowingSettings,
): RunningShardFollowing => {
  const { logger, metrics } = deps;
  const shardsOwned = metrics.gauge('cluster_shards_owned', 'Shards this instance owns in its cluster');
  const instrumentsOwned = metrics.gauge(
    'cluster_instruments_owned',
    'Instruments of the shards this instance owns',
  );
  const rebalances = metrics.counter(
    'cluster_rebalances_total',
    'Assignments this instance received from its cluster group',
  );
  const member = metrics.gauge('cluster_member', '1 while this instance is in its cluster group');
  let universe = deps.instruments;
  const instrumentsOf = (shards: Iterable<Shard>): InstrumentToken[] =>
    instrumentsOfShards(universe, shards, settings.shardCount).map((i) => i.token);
  let held = new Set<Shard>();
  let assigned = false;
  const firstAssignment = Promise.withResolvers<undefined>();
  const assign = async (shards: readonly Shard[]): Promise<void> => {
    const next = new Set(shards);
    const lost = [...held].filter((s) => !next.has(s));
    const gained = [...next].filter((s) => !held.has(s));
    const removed = instrumentsOf(lost);
    const added = instrumentsOf(gained);
    if (lost.length > 0) await deps.release?.(lost);
    // False: the feed cannot change what it follows (a source without live subscriptions).
    if (removed.length > 0 && !deps.pipeline.remove(removed))
      logger.error('The feed could not drop the instruments of the shards lost', { shards: lost.join(',') });
    if (gained.length > 0) await deps.takeOver?.(gained);
    if (added.length > 0 && !deps.pipeline.add(added))
      logger.error('The feed could not follow the instruments of the shards gained', {
        shards: gained.join(','),
      });
    held = next;
    assigned = true;
    firstAssignment.resolve(undefined);
    if (gained.length > 0) deps.gained?.(gained);
    const owned = instrumentsOf(next).length;
    rebalances.inc();
    member.set(1);
    shardsOwned.set(next.size);
    instrumentsOwned.set(owned);
    logger.info('Cluster assignment', {
      group: settings.group,
      shards: [...next].sort((a, b) => a - b).join(','),
      instruments: owned,
      added: added.length,
      removed: removed.length,
    });
  };
  member.set(0);
  shardsOwned.set(0);
  instrumentsOwned.set(0);
  logger.info('Joining the cluster', {
    group: settings.group,
    shards: settings.shardCount,
    instruments: deps.instruments.length,
  });
  // One assignment at a time, in order: a take-over reads Kafka before its instruments are added.
  let applying = Promise.resolve();
  const applyInOrder = (shards: readonly Shard[]): Promise<void> =>
    (applying = applying.catch(() => undefined).then(() => assign(shards)));
  deps.membership.join(applyInOrder).catch(deps.onRefused);
  const gauge = setInterval(() => member.set(deps.membership.isMember() ? 1 : 0), MEMBER_GAUGE_MS);
  gauge.unref();
  let stopped: Promise<void> | undefined;
  // Every member evaluates the same selection, so each changes only the shards it holds.
  const replace = (instruments: readonly Instrument[]): void => {
    const before = new Set(instrumentsOf(held));
    universe = instruments;
    const after = instrumentsOf(held);
    const now = new Set(after);
    const removed = [...before].filter((t) => !now.has(t));
    const added = after.filter((t) => !before.has(t));
    if (removed.length > 0 && !deps.pipeline.remove(removed))
      logger.error('The feed could not drop the instruments that left the selection', {
        removed: removed.length,
      });
    if (added.length > 0 && !deps.pipeline.add(added))
      logger.error('The feed could not follow the instruments that joined the selection', {
        added: added.length,
      });
    instrumentsOwned.set(after.length);
  };
  return {
    replaceInstruments: (instruments) =>
      (applying = applying.catch(() => undefined).then(() => replace(instruments))),
    readiness: () => (assigned ? undefined : 'joining'),
    ownedShards: async () => {
      await firstAssignment.promise;
      return [...held].sort((a, b) => a - b).map((shard) => ({ shard, tokens: instrumentsOf([shard]) }));
    },
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(gauge);
        await deps.membership.leave().catch((e: unknown) => {
          logger.warn(
            'Could not leave the cluster group; the others take its shards after the session timeout',
            {
              error: e instanceof Error ? e.message : String(e),
            },
          );
        });
        member.set(0);
      })()),
  };
};
