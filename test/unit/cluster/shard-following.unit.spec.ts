import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { startShardFollowing } from '../../../src/app/cluster/shard-following.ts';
import { instrumentToken, type Instrument, type InstrumentToken } from '../../../src/domain/instrument.ts';
import { shardOf } from '../../../src/domain/shard.ts';
import type { ClusterMembership, OnAssignment } from '../../../src/ports/cluster-membership.ts';

const SHARDS = 4;
const instruments: Instrument[] = [26000, 25, 15083, 157, 2885, 11536, 1594, 1333, 4963, 3045].map((n) => ({
  token: instrumentToken(n),
  symbol: `S${n}`,
  exchange: 'NSE',
  kind: 'equity',
}));
const tokensOf = (shards: readonly number[]): InstrumentToken[] =>
  instruments.filter((i) => shards.includes(shardOf(i.token, SHARDS))).map((i) => i.token);

/** A group of one: the test hands out the assignments. */
class ScriptedMembership implements ClusterMembership {
  assign: OnAssignment = () => undefined;
  member = false;
  left = false;
  refuse: Error | undefined;
  join(onAssignment: OnAssignment): Promise<void> {
    this.assign = (shards) => {
      this.member = true;
      return onAssignment(shards);
    };
    return this.refuse === undefined ? Promise.resolve() : Promise.reject(this.refuse);
  }
  leave(): Promise<void> {
    this.left = true;
    this.member = false;
    return Promise.resolve();
  }
  isMember(): boolean {
    return this.member;
  }
}

const setup = () => {
  const membership = new ScriptedMembership();
  const followed = new Set<InstrumentToken>();
  const calls: string[] = [];
  const metrics = new MemoryMetrics();
  const logger = new MemoryLogger();
  const refused: unknown[] = [];
  const following = startShardFollowing(
    {
      membership,
      pipeline: {
        add: (tokens) => {
          calls.push(`add ${tokens.length}`);
          for (const t of tokens) followed.add(t);
          return true;
        },
        remove: (tokens) => {
          calls.push(`remove ${tokens.length}`);
          for (const t of tokens) followed.delete(t);
          return true;
        },
      },
      instruments,
      logger,
      metrics,
      onRefused: (e) => refused.push(e),
    },
    { group: 'g', shardCount: SHARDS },
  );
  return { membership, followed, calls, metrics, logger, following, refused };
};

describe('startShardFollowing', () => {
  it('follows a changed selection in the shards it holds only', async () => {
    const { membership, followed, metrics, following } = setup();
    await membership.assign([0, 2]);
    const fresh: Instrument[] = [40001, 40002, 40003, 40004, 40005, 40006].map((n) => ({
      token: instrumentToken(n),
      symbol: `OPT${n}`,
      exchange: 'NFO',
      kind: 'equity',
    }));
    // Half the old instruments leave, six new ones join: only those of shards 0 and 2 concern us.
    const next = [...instruments.slice(0, 5), ...fresh];
    await following.replaceInstruments(next);
    const ours = next.filter((i) => [0, 2].includes(shardOf(i.token, SHARDS))).map((i) => i.token);
    expect([...followed].sort()).toEqual([...ours].sort());
    expect(metrics.value('cluster_instruments_owned')).toBe(ours.length);
    // A later assignment deals in the new selection.
    await membership.assign([1]);
    expect([...followed].sort()).toEqual(
      next
        .filter((i) => shardOf(i.token, SHARDS) === 1)
        .map((i) => i.token)
        .sort(),
    );
  });

  it('says joining until the first assignment, then follows the instruments of the shards assigned', async () => {
    const { membership, followed, metrics, following } = setup();
    expect(following.readiness()).toBe('joining');
    expect(metrics.value('cluster_member')).toBe(0);
    await membership.assign([0, 2]);
    expect(following.readiness()).toBeUndefined();
    expect([...followed].sort()).toEqual(tokensOf([0, 2]).sort());
    expect(metrics.value('cluster_shards_owned')).toBe(2);
    expect(metrics.value('cluster_instruments_owned')).toBe(tokensOf([0, 2]).length);
    expect(metrics.value('cluster_rebalances_total')).toBe(1);
    expect(metrics.value('cluster_member')).toBe(1);
  });

  it('on a new assignment removes only the lost shards and adds only the new ones', async () => {
    const { membership, followed, calls, metrics } = setup();
    await membership.assign([0, 1, 2, 3]);
    calls.length = 0;
    await membership.assign([1, 2]);
    expect([...followed].sort()).toEqual(tokensOf([1, 2]).sort());
    expect(calls).toEqual([`remove ${tokensOf([0, 3]).length}`]);
    calls.length = 0;
    await membership.assign([1, 2]);
    expect(calls).toEqual([]);
    await membership.assign([2, 3]);
    expect(calls).toEqual([`remove ${tokensOf([1]).length}`, `add ${tokensOf([3]).length}`]);
    expect(metrics.value('cluster_rebalances_total')).toBe(4);
  });

  it('logs one line on joining and one per assignment', async () => {
    const { membership, logger } = setup();
    await membership.assign([1]);
    await membership.assign([1, 3]);
    const lines = logger.lines();
    expect(lines.filter((l) => l.includes('Joining the cluster'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('Cluster assignment'))).toHaveLength(2);
  });

  it('leaves the group on stop', async () => {
    const { membership, following, metrics } = setup();
    await membership.assign([0]);
    await following.stop();
    expect(membership.left).toBe(true);
    expect(metrics.value('cluster_member')).toBe(0);
  });

  it('hands a refusal of the membership to onRefused', async () => {
    const membership = new ScriptedMembership();
    membership.refuse = new Error('CLUSTER_SHARDS: wrong');
    const refused: unknown[] = [];
    startShardFollowing(
      {
        membership,
        pipeline: { add: () => true, remove: () => true },
        instruments,
        logger: new MemoryLogger(),
        metrics: new MemoryMetrics(),
        onRefused: (e) => refused.push(e),
      },
      { group: 'g', shardCount: SHARDS },
    );
    await new Promise((r) => setImmediate(r));
    expect(refused).toEqual([membership.refuse]);
  });

  it('takes over the gained shards before adding their instruments, one assignment at a time', async () => {
    const membership = new ScriptedMembership();
    const calls: string[] = [];
    let release: () => void = () => undefined;
    startShardFollowing(
      {
        membership,
        pipeline: {
          add: (tokens) => calls.push(`add ${tokens.join(',')}`) > 0,
          remove: (tokens) => calls.push(`remove ${tokens.join(',')}`) > 0,
        },
        instruments,
        logger: new MemoryLogger(),
        metrics: new MemoryMetrics(),
        onRefused: () => undefined,
        // A slow read of the shared checkpoint: the first take-over waits to be released.
        takeOver: async (shards) => {
          calls.push(`take over ${shards.join(',')}`);
          if (calls.length === 1) await new Promise<void>((r) => (release = r));
        },
      },
      { group: 'g', shardCount: SHARDS },
    );
    const first = membership.assign([0, 1]);
    const second = membership.assign([1, 2]);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['take over 0,1']); // nothing added, nothing of the second applied yet
    release();
    await Promise.all([first, second]);
    expect(calls).toEqual([
      'take over 0,1',
      `add ${tokensOf([0, 1]).join(',')}`,
      `remove ${tokensOf([0]).join(',')}`,
      'take over 2',
      `add ${tokensOf([2]).join(',')}`,
    ]);
  });

  it('lets the backfill release lost shards before anything else, and tells it of the shards gained', async () => {
    const membership = new ScriptedMembership();
    const calls: string[] = [];
    let released: () => void = () => undefined;
    const following = startShardFollowing(
      {
        membership,
        pipeline: {
          add: (tokens) => calls.push(`add ${tokens.length}`) > 0,
          remove: (tokens) => calls.push(`remove ${tokens.length}`) > 0,
        },
        instruments,
        logger: new MemoryLogger(),
        metrics: new MemoryMetrics(),
        onRefused: () => undefined,
        // A job stopping: the assignment waits for it.
        release: async (shards) => {
          calls.push(`release ${shards.join(',')}`);
          await new Promise<void>((r) => (released = r));
        },
        gained: (shards) => calls.push(`gained ${shards.join(',')}`),
      },
      { group: 'g', shardCount: SHARDS },
    );
    await membership.assign([0, 1]);
    expect(calls).toEqual([`add ${tokensOf([0, 1]).length}`, 'gained 0,1']);
    expect(await following.ownedShards()).toEqual([
      { shard: 0, tokens: tokensOf([0]) },
      { shard: 1, tokens: tokensOf([1]) },
    ]);
    calls.length = 0;
    const moving = membership.assign([1, 3]);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['release 0']); // nothing removed or added while the backfill lets go
    released();
    await moving;
    expect(calls).toEqual([
      'release 0',
      `remove ${tokensOf([0]).length}`,
      `add ${tokensOf([3]).length}`,
      'gained 3',
    ]);
  });
});
