import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { historicalByToken, total } from '../backfill/backfill-e2e-support.ts';
import { NIFTY_TOKENS, allHoldShards, clusterBed, eventually, gauge, ownedSum } from './cluster-bed.ts';

const SESSION_TIMEOUT_MS = 6000;

describe('backfill in a cluster', () => {
  const bed: { sim?: RunningSimulator } = {};
  beforeAll(async () => {
    // No live ticks: the only historical requests are the backfill's.
    bed.sim = await startSimulator({ port: 0, rate: 0, historicalRatePerSecond: 0 });
  });
  afterAll(() => bed.sim?.close());

  it('START_BACKFILL, heard by both members, asks the broker for each of the 51 instruments once in total', async () => {
    const sim = bed.sim;
    if (sim === undefined) throw new Error('the simulator did not start');
    const channel = `cluster-commands-${randomUUID().slice(0, 8)}`;
    const cluster = clusterBed(
      sim,
      { kafkaBroker: inject('kafkaBroker'), redisUrl: inject('redisUrl') },
      SESSION_TIMEOUT_MS,
    );
    const outputs = (): string => cluster.outputs();
    const redis = new Redis(inject('redisUrl'));
    try {
      const extra = { REDIS_COMMAND_CHANNEL: channel, BACKFILL_DAYS: '1', RECONCILE_AFTER_CLOSE: 'false' };
      const members = [await cluster.start('a', extra), await cluster.start('b', extra)];
      const shared = await eventually(
        async () => (await allHoldShards(members)) && (await ownedSum(members)) === NIFTY_TOKENS,
        Date.now() + 45_000,
      );
      expect(shared, outputs()).toBe(true);
      const listening = await eventually(async () => {
        const reply: unknown = await redis.pubsub('NUMSUB', channel);
        return Array.isArray(reply) && Number(reply[1]) === 2;
      }, Date.now() + 30_000);
      expect(listening, outputs()).toBe(true);

      expect(await redis.publish(channel, JSON.stringify({ command: 'START_BACKFILL', days: 1 }))).toBe(2);
      const done = await eventually(async () => {
        for (const m of members) if ((await gauge(m, 'batch_job_status')) !== 2) return false;
        return true;
      }, Date.now() + 120_000);
      expect(done, outputs()).toBe(true);

      const requests = historicalByToken(sim);
      expect(requests.size, outputs()).toBe(NIFTY_TOKENS);
      expect([...requests].filter(([, n]) => n !== 1)).toEqual([]);
      expect(total(requests)).toBe(NIFTY_TOKENS);
      // Each planned only what it owned: the two plans' instrument counts are the two members' shares.
      const planned = members.map((m) => {
        const line = /Backfill of the instruments this cluster member owns .*instruments=(\d+)/.exec(
          m.process.output(),
        );
        return line === null ? 0 : Number(line[1]);
      });
      expect(
        planned.every((n) => n > 0),
        outputs(),
      ).toBe(true);
      expect(planned[0]! + planned[1]!).toBe(NIFTY_TOKENS);
    } finally {
      redis.disconnect();
      await cluster.stopAll();
    }
  }, 240_000);

  it('the start-up backfill of a member joining waits for its assignment and covers its share only', async () => {
    const sim = bed.sim;
    if (sim === undefined) throw new Error('the simulator did not start');
    const before = total(historicalByToken(sim));
    const cluster = clusterBed(
      sim,
      { kafkaBroker: inject('kafkaBroker'), redisUrl: inject('redisUrl') },
      SESSION_TIMEOUT_MS,
    );
    const outputs = (): string => cluster.outputs();
    try {
      const extra = { BACKFILL_DAYS: '1', RECONCILE_AFTER_CLOSE: 'false' };
      const first = await cluster.start('first', extra);
      const alone = await eventually(
        async () => (await ownedSum([first])) === NIFTY_TOKENS,
        Date.now() + 45_000,
      );
      expect(alone, outputs()).toBe(true);
      // BACKFILL_ON_START=always: the start-up path whatever the wall clock says of the market.
      const joining = await cluster.start('joining', { ...extra, BACKFILL_ON_START: 'always' });
      const done = await eventually(
        async () => (await gauge(joining, 'batch_job_status')) === 2,
        Date.now() + 120_000,
      );
      expect(done, outputs()).toBe(true);
      const owned = await gauge(joining, 'cluster_instruments_owned');
      expect(owned, outputs()).toBeGreaterThan(0);
      expect(owned).toBeLessThan(NIFTY_TOKENS);
      const requests = historicalByToken(sim);
      expect(total(requests) - before, outputs()).toBe(owned);
      expect(joining.process.output()).toMatch(
        new RegExp(
          `Backfill of the instruments this cluster member owns .*origin=start .*instruments=${owned} `,
        ),
      );
    } finally {
      await cluster.stopAll();
    }
  }, 240_000);
});
