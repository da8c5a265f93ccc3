import { randomUUID } from 'node:crypto';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { decodeShardCheckpoint } from '../../../src/ports/shard-checkpoint-record.ts';
import { readGapRecords } from '../../support/campaign-topics.ts';
import type { GapRecord } from '../../support/fault-campaign-oracle.ts';
import { readTopicWithKcat } from '../../support/kcat.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { clusterBed, eventually, everyTokenOnce, openConnections, sharedByAll } from './cluster-bed.ts';

const SESSION_TIMEOUT_MS = 6000;

interface TickRecord {
  readonly token: string;
  readonly exchangeTime?: number;
  readonly receivedAt: number;
}

const failoverGaps = async (topic: string): Promise<GapRecord[]> =>
  (await readGapRecords(inject('kafkaBroker'), topic)).filter(
    (r) => r.event === 'FeedGapOpened' && r.cause === 'failover',
  );

/** The two ticks of a token either side of its longest silence in the tick topic (kept in per-token order). */
const longestSilence = (ticks: readonly TickRecord[]): { last: number; first: number } => {
  const times = ticks.map((t) => t.exchangeTime ?? t.receivedAt);
  let best = { last: 0, first: 0 };
  for (let i = 1; i < times.length; i += 1) {
    const [last, first] = [times[i - 1] ?? 0, times[i] ?? 0];
    if (first - last > best.first - best.last) best = { last, first };
  }
  return best;
};

describe('a failover is a gap on record', () => {
  const bed: { sim?: RunningSimulator } = {};
  beforeAll(async () => {
    bed.sim = await startSimulator({ port: 0, rate: 500, alwaysOpen: true });
  });
  afterAll(() => bed.sim?.close());

  it('after a SIGKILL, every instrument of the killed instance gets one failover gap, from its last tick there to its first at the new owner; the others none', async () => {
    const sim = bed.sim;
    if (sim === undefined) throw new Error('the simulator did not start');
    const ns = randomUUID().slice(0, 8);
    const topics = {
      TICK_TOPIC: `failover-ticks-${ns}`,
      GAP_TOPIC: `failover-gaps-${ns}`,
      CLUSTER_TOPIC: `failover-shards-${ns}`,
    };
    const cluster = clusterBed(
      sim,
      { kafkaBroker: inject('kafkaBroker'), redisUrl: inject('redisUrl') },
      SESSION_TIMEOUT_MS,
    );
    try {
      const started = Date.now();
      const three = [
        await cluster.start('a', topics),
        await cluster.start('b', topics),
        await cluster.start('c', topics),
      ];
      const shared = await eventually(() => sharedByAll(sim, three), started + 30_000);
      expect(shared, cluster.outputs()).toBe(true);
      // The shared checkpoint is written every second while ticks are accepted.
      await new Promise((r) => setTimeout(r, 3000));
      const before = await openConnections(sim);
      const [, b] = three;
      if (b === undefined) throw new Error('no instance b');
      b.process.child.kill('SIGKILL');
      await b.process.exited();
      const killedAt = Date.now();
      const failedOver = await eventually(
        async () => {
          const now = await openConnections(sim);
          return everyTokenOnce(now) && now.length === 2;
        },
        killedAt + SESSION_TIMEOUT_MS + 10_000,
      );
      expect(failedOver, cluster.outputs()).toBe(true);
      const survivingIds = new Set((await openConnections(sim)).map((c) => c.id));
      const killedTokens = before
        .filter((c) => !survivingIds.has(c.id))
        .flatMap((c) => c.tokens)
        .map(String);
      expect(killedTokens.length, cluster.outputs()).toBeGreaterThan(0);

      // Every instrument of the killed instance: one failover gap; the survivors' own: none.
      let gaps: GapRecord[] = [];
      const recorded = await eventually(async () => {
        gaps = await failoverGaps(topics.GAP_TOPIC);
        return killedTokens.every((t) => gaps.some((g) => g.token === t));
      }, Date.now() + 15_000);
      expect(recorded, cluster.outputs()).toBe(true);
      expect(gaps.map((g) => g.token).sort()).toEqual([...killedTokens].sort());

      // The survivors stop first: kcat reads to the end of a topic, which a live feed keeps moving.
      const survivors = three.filter((i) => i !== b);
      const read = survivors.some((i) =>
        /Read the previous owners' checkpoints of the shards gained/.test(i.process.output()),
      );
      expect(read, cluster.outputs()).toBe(true);
      await cluster.stopAll();
      const ticks = (await readTopicWithKcat(inject('kafkaBroker'), topics.TICK_TOPIC)).map(
        (m) => JSON.parse(m.value) as TickRecord,
      );
      for (const gap of gaps) {
        const silence = longestSilence(ticks.filter((t) => t.token === gap.token));
        // The dead instance's last tick, then nothing until the session timeout moved the shard.
        expect(silence.first - silence.last, gap.token).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - 1000);
        // From the shared checkpoint: at most its period (1 s, in whole exchange seconds) before the last tick.
        expect(gap.from, gap.token).toBeLessThanOrEqual(silence.last);
        expect(gap.from, gap.token).toBeGreaterThanOrEqual(silence.last - 2000);
        // To the new owner's first accepted tick.
        expect(gap.to, gap.token).toBe(silence.first);
      }

      // The shared checkpoint itself: shard i's records in partition i, readable, on a compacted topic.
      const records = await readTopicWithKcat(inject('kafkaBroker'), topics.CLUSTER_TOPIC);
      expect(records.length).toBeGreaterThan(0);
      for (const r of records) {
        expect(r.key).toBe(`shard-${r.partition}`);
        expect(decodeShardCheckpoint(r.value)).toMatchObject({ shard: r.partition });
      }
      const admin = new Kafka({ brokers: [inject('kafkaBroker')], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const described = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [
            {
              type: kafkajs.ConfigResourceTypes.TOPIC,
              name: topics.CLUSTER_TOPIC,
              configNames: ['cleanup.policy'],
            },
          ],
        });
        expect(described.resources[0]?.configEntries.map((e) => e.configValue)).toEqual(['compact']);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await cluster.stopAll();
    }
  }, 180_000);
});
