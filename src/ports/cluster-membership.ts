import type { Shard } from '../domain/shard.ts';

/** Called with every assignment the group hands this member: the shards it owns from now on. */
export type OnAssignment = (shards: readonly Shard[]) => void | Promise<void>;

/**
 * Membership of a group of instances that share the shards (issue 16). The group, not this
 * member, decides who owns what: each assignment lists all the shards this member owns, the same
 * list again when nothing moved. A rebalance moves only the shards that must move.
 */
export interface ClusterMembership {
  /**
   * Joins the group and keeps the membership up (rejoining by itself after a lost connection).
   * Resolves at the first assignment (or on `leave`); rejects only when the group can never work
   * as configured (a shard topic of another partition count, a session timeout the broker
   * refuses), with an error that names the setting to change.
   */
  join(onAssignment: OnAssignment): Promise<void>;
  /** Leaves the group at once, so the others take this member's shards without waiting for its timeout. */
  leave(): Promise<void>;
  /** Whether this member is in the group now (it had an assignment and has not lost the group since). */
  isMember(): boolean;
}
