import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { AssignerProtocol, type Assigner, type GroupMember, type PartitionAssigner } from 'kafkajs';
import { assignShardsSticky } from '../../domain/shard-assignment.ts';
import type { Shard } from '../../domain/shard.ts';

/** The protocol name every member offers: the group runs it only when all of them speak it. */
export const STICKY_SHARDS_PROTOCOL = 'TickflowStickyShards';
const USER_DATA_VERSION = 0;

/** What a member tells the leader in its JoinGroup userData: the shards it follows now. */
const OwnedShards = t.type({ shards: t.array(t.Int) });

export const encodeOwnedShards = (shards: readonly Shard[]): Buffer =>
  Buffer.from(JSON.stringify({ shards: [...shards] }), 'utf8');

/** A member's claim as the leader reads it; anything unreadable claims nothing (it then only gains). */
export const decodeOwnedShards = (userData: Buffer | null | undefined): Shard[] => {
  if (userData === null || userData === undefined || userData.length === 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(userData.toString('utf8'));
  } catch {
    return [];
  }
  const decoded = OwnedShards.decode(parsed);
  return E.isRight(decoded) ? decoded.right.shards : [];
};

/** The leader's work: each member's claim read from its metadata, then the sticky assignment, encoded. */
export const assignStickyShards = (
  members: readonly GroupMember[],
  topic: string,
  shardCount: number,
): { memberId: string; memberAssignment: Buffer }[] => {
  const holders = members.map((m) => ({
    id: m.memberId,
    owned: decodeOwnedShards(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData),
  }));
  const assignment = assignShardsSticky(holders, shardCount);
  return members.map((m) => ({
    memberId: m.memberId,
    memberAssignment: AssignerProtocol.MemberAssignment.encode({
      version: USER_DATA_VERSION,
      assignment: { [topic]: [...(assignment.get(m.memberId) ?? [])] },
      userData: Buffer.alloc(0),
    }),
  }));
};

/**
 * kafkajs has no cooperative assignor, so this one is sticky through its own extension point:
 * each member sends the shards it owns now in its userData, and the leader (chosen by Kafka's
 * coordinator, not by us) keeps each member's shards up to a balanced share and moves only the
 * rest. The rebalance itself is still kafkajs's eager one; the instance diffs each assignment
 * against what it follows, so a shard that stays is never unsubscribed.
 */
export const stickyShardAssigner =
  (
    settings: { readonly topic: string; readonly shards: number },
    owned: () => readonly Shard[],
  ): PartitionAssigner =>
  (): Assigner => ({
    name: STICKY_SHARDS_PROTOCOL,
    version: USER_DATA_VERSION,
    assign: ({ members }) => Promise.resolve(assignStickyShards(members, settings.topic, settings.shards)),
    protocol: ({ topics }) => ({
      name: STICKY_SHARDS_PROTOCOL,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: USER_DATA_VERSION,
        topics,
        userData: encodeOwnedShards(owned()),
      }),
    }),
  });
