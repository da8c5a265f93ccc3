import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import {
  NIFTY_TOKENS,
  allHoldShards,
  clusterBed,
  eventually,
  everyTokenOnce,
  followers,
  gauge,
  openConnections,
  ownedSum,
  sharedByAll,
} from './cluster-bed.ts';

const SESSION_TIMEOUT_MS = 6000;

describe('tickflow live instances in one cluster, on Kafka consumer group protocol', () => {
  const bed: { sim?: RunningSimulator } = {};
  const simulator = (): RunningSimulator => {
    if (bed.sim === undefined) throw new Error('the simulator did not start');
    return bed.sim;
  };
  const servers = () => ({ kafkaBroker: inject('kafkaBroker'), redisUrl: inject('redisUrl') });
  beforeAll(async () => {
    bed.sim = await startSimulator({ port: 0, rate: 500, alwaysOpen: true });
  });
  afterAll(() => bed.sim?.close());

  it('stops the start naming CLUSTER_SHARDS and CLUSTER_TOPIC when the shard topic has another partition count', async () => {
    const cluster = clusterBed(simulator(), servers(), SESSION_TIMEOUT_MS);
    try {
      const first = await cluster.start('three-shards', { CLUSTER_SHARDS: '3' });
      await first.process.waitForLine(/Cluster assignment .*shards=0,1,2 /, 30_000);
      first.process.child.kill('SIGTERM');
      expect(await first.process.exited()).toBe(0);
      const second = await cluster.start('four-shards', { CLUSTER_SHARDS: '4' });
      expect(await second.process.exited()).toBe(1);
      expect(second.process.output()).toMatch(
        /CLUSTER_TOPIC tickflow-shards-[0-9a-f]+ has 3 partitions but CLUSTER_SHARDS is 4/,
      );
      expect(second.process.output()).not.toMatch(/Cluster assignment/);
    } finally {
      await cluster.stopAll();
    }
  }, 120_000);

  it('shares the Nifty 50 over three instances, moves a killed one’s shards to the survivors, and lets a fourth take shards', async () => {
    const sim = simulator();
    const cluster = clusterBed(sim, servers(), SESSION_TIMEOUT_MS);
    const outputs = (): string => cluster.outputs();
    try {
      const started = Date.now();
      const [a, b, c] = [await cluster.start('a'), await cluster.start('b'), await cluster.start('c')];
      const three = [a, b, c];
      const shared = await eventually(() => sharedByAll(sim, three), started + 30_000);
      expect(shared, outputs()).toBe(true);
      for (const i of three) {
        expect(await gauge(i, 'cluster_member'), outputs()).toBe(1);
        expect(await gauge(i, 'cluster_shards_owned')).toBe(4);
        expect((await fetch(`${i.metricsUrl}/readyz`)).status).toBe(200);
        expect(i.process.output()).toMatch(/Joining the cluster/);
      }
      expect(await openConnections(sim)).toHaveLength(3);

      // SIGKILL one: its session times out, and its shards move to the two survivors.
      b.process.child.kill('SIGKILL');
      await b.process.exited();
      const killedAt = Date.now();
      const survivors = [a, c];
      const failedOver = await eventually(
        async () => {
          const now = await openConnections(sim);
          return (
            (await allHoldShards(survivors)) &&
            everyTokenOnce(now) &&
            now.length <= 2 &&
            (await ownedSum(survivors)) === NIFTY_TOKENS
          );
        },
        killedAt + SESSION_TIMEOUT_MS + 10_000,
      );
      expect(failedOver, outputs()).toBe(true);

      // A fourth joins: it takes shards, and no instrument is followed twice once it has settled.
      const d = await cluster.start('d');
      const joined = await eventually(
        async () =>
          (await allHoldShards([d])) &&
          everyTokenOnce(await openConnections(sim)) &&
          (await ownedSum([a, c, d])) === NIFTY_TOKENS,
        Date.now() + 45_000,
      );
      expect(joined, outputs()).toBe(true);
      expect(await gauge(d, 'cluster_shards_owned')).toBe(4);
      for (let sample = 0; sample < 12; sample++) {
        const counts = followers(await openConnections(sim));
        expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
        expect(counts.size).toBe(NIFTY_TOKENS);
        await new Promise((r) => setTimeout(r, 250));
      }

      // A clean stop leaves the group: the others take its shards without waiting for the timeout.
      a.process.child.kill('SIGTERM');
      expect(await a.process.exited()).toBe(0);
      const leftAt = Date.now();
      const handedOver = await eventually(
        async () => everyTokenOnce(await openConnections(sim)) && (await ownedSum([c, d])) === NIFTY_TOKENS,
        leftAt + SESSION_TIMEOUT_MS - 1000,
      );
      expect(handedOver, outputs()).toBe(true);
    } finally {
      await cluster.stopAll();
    }
  }, 240_000);
});
