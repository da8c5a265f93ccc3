import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { SharedCheckpoint } from '../../../src/app/cluster/shared-checkpoint.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { shardOf, type Shard } from '../../../src/domain/shard.ts';
import type { ShardCheckpoint } from '../../../src/domain/shard-checkpoint.ts';
import { epochMs } from '../../../src/domain/units.ts';
import type { ShardCheckpointStore } from '../../../src/ports/shard-checkpoint-store.ts';

const SHARDS = 12;
const RELIANCE = instrumentToken(2885);

/** A store whose writes and reads the test settles or fails by hand. */
const fakeStore = () => {
  const writes: { readonly checkpoints: readonly ShardCheckpoint[]; settle: (error?: Error) => void }[] = [];
  let read: () => Promise<ReadonlyMap<Shard, ShardCheckpoint>> = () => Promise.resolve(new Map());
  const store: ShardCheckpointStore = {
    write: (checkpoints) =>
      new Promise<void>((resolve, reject) => {
        writes.push({ checkpoints, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      }),
    newest: () => read(),
    close: () => Promise.resolve(),
  };
  return { store, writes, readWith: (r: typeof read) => (read = r) };
};

const setup = () => {
  const fake = fakeStore();
  const logger = new MemoryLogger('info');
  const metrics = new MemoryMetrics();
  const shared = new SharedCheckpoint(
    { store: fake.store, logger, metrics },
    { owner: 'a:1', shardCount: SHARDS },
  );
  return { ...fake, logger, metrics, shared };
};
const settled = () => new Promise((r) => setTimeout(r, 0));
const ticks = (at: number) => new Map([[RELIANCE, epochMs(at)]]);

describe('SharedCheckpoint', () => {
  it('writes one round at a time: a round asked while one is in flight is skipped', async () => {
    const { shared, writes } = setup();
    shared.publish(ticks(1000), epochMs(1000));
    shared.publish(ticks(2000), epochMs(2000));
    expect(writes).toHaveLength(1);
    writes[0]?.settle();
    await settled();
    shared.publish(ticks(3000), epochMs(3000));
    expect(writes).toHaveLength(2);
    expect(writes[1]?.checkpoints[0]).toMatchObject({ shard: shardOf(RELIANCE, SHARDS), owner: 'a:1' });
  });

  it('counts every failed write but warns once per outage', async () => {
    const { shared, writes, logger, metrics } = setup();
    for (let i = 0; i < 3; i += 1) {
      shared.publish(ticks(i), epochMs(i));
      writes[i]?.settle(new Error('broker down'));
      await settled();
    }
    expect(metrics.value('cluster_checkpoint_failures_total')).toBe(3);
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(1);
    shared.publish(ticks(10), epochMs(10));
    writes[3]?.settle();
    await settled();
    shared.publish(ticks(11), epochMs(11));
    writes[4]?.settle(new Error('broker down again'));
    await settled();
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(2);
  });

  it('a read that fails gives no failover downtime, counted and logged, rather than holding the shards', async () => {
    const { shared, readWith, logger, metrics } = setup();
    readWith(() => Promise.reject(new Error('timed out')));
    expect((await shared.failovers([shardOf(RELIANCE, SHARDS)])).size).toBe(0);
    expect(metrics.value('cluster_checkpoint_failures_total')).toBe(1);
    expect(logger.records.some((r) => r.level === 'error' && /no failover gap/.test(r.message))).toBe(true);
  });

  it("turns the previous owner's newest checkpoint into each token's failover downtime", async () => {
    const { shared, readWith } = setup();
    const shard = shardOf(RELIANCE, SHARDS);
    readWith(() =>
      Promise.resolve(
        new Map([[shard, { shard, owner: 'b:2', writtenAt: epochMs(5000), lastAccepted: ticks(4000) }]]),
      ),
    );
    const downtimes = await shared.failovers([shard]);
    expect(downtimes.get(RELIANCE)).toMatchObject({ cause: 'failover' });
  });
});
