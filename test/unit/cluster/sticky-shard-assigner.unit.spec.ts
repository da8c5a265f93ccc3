import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  decodeOwnedShards,
  encodeOwnedShards,
  stickyShardAssigner,
} from '../../../src/adapters/cluster/sticky-shard-assigner.ts';
import { sessionTimeoutRefused } from '../../../src/adapters/cluster/session-timeout-refused.ts';

const TOPIC = 'tickflow_shards';

/** What a member's kafkajs sends in JoinGroup: its protocol metadata, built by the assigner. */
const memberOf = (memberId: string, owned: readonly number[]) => {
  const assigner = stickyShardAssigner({ topic: TOPIC, shards: 12 }, () => owned)({} as never);
  return { memberId, memberMetadata: assigner.protocol({ topics: [TOPIC] }).metadata };
};

const assignmentOf = (buffer: Buffer): number[] =>
  AssignerProtocol.MemberAssignment.decode(buffer)?.assignment[TOPIC] ?? [];

describe('stickyShardAssigner (kafkajs)', () => {
  it("round-trips a member's shards through its userData; anything unreadable claims none", () => {
    expect(decodeOwnedShards(encodeOwnedShards([3, 1]))).toEqual([3, 1]);
    expect(decodeOwnedShards(Buffer.from('not json'))).toEqual([]);
    expect(decodeOwnedShards(Buffer.from('{"shards":["x"]}'))).toEqual([]);
    expect(decodeOwnedShards(Buffer.alloc(0))).toEqual([]);
  });

  it('as leader, keeps what each member holds and gives a joining member only the surplus', async () => {
    const leader = stickyShardAssigner({ topic: TOPIC, shards: 12 }, () => [])({} as never);
    const members = [
      memberOf('a', [0, 1, 2, 3]),
      memberOf('b', [4, 5, 6, 7]),
      memberOf('c', [8, 9, 10, 11]),
      memberOf('d', []),
    ];
    const out = await leader.assign({ members, topics: [TOPIC] });
    const byMember = new Map(out.map((o) => [o.memberId, assignmentOf(o.memberAssignment)]));
    expect(byMember.get('a')).toEqual([0, 1, 2]);
    expect(byMember.get('b')).toEqual([4, 5, 6]);
    expect(byMember.get('c')).toEqual([8, 9, 10]);
    expect(byMember.get('d')).toEqual([3, 7, 11]);
  });
});

describe('sessionTimeoutRefused', () => {
  it("names CLUSTER_SESSION_TIMEOUT_MS when the broker refuses the timeout, kafkajs's error wrapped or not", () => {
    const protocol = Object.assign(
      new Error('The session timeout is not within the range allowed by the broker'),
      {
        name: 'KafkaJSProtocolError',
        type: 'INVALID_SESSION_TIMEOUT',
      },
    );
    const wrapped = Object.assign(new Error('Consumer crashed'), { cause: protocol });
    for (const e of [protocol, wrapped])
      expect(sessionTimeoutRefused(e, 4000)?.message).toMatch(
        /^CLUSTER_SESSION_TIMEOUT_MS: the broker refuses a session timeout of 4000 ms/,
      );
    expect(sessionTimeoutRefused(new Error('Connection error: ECONNREFUSED'), 4000)).toBeUndefined();
  });
});
