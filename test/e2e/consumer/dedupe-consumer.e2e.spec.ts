import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { backfillEnv } from '../../int/backfill/backfill-env.ts';
import { readTopicWithKcat, type KcatMessage } from '../../support/kcat.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { startTickflow } from '../../support/service-process.ts';
import { waitFor } from '../backfill/backfill-e2e-support.ts';
import { startDedupeConsumer, type ConsumerProcess } from './consumer-process.ts';

const TOKENS = ['26000', '25'];

/** kcat's `%h`: `name=value` pairs joined by commas (no tick-id holds a comma or `=`). */
const header = (m: KcatMessage, name: string): string | undefined =>
  m.headers
    .split(',')
    .map((pair) => pair.split('='))
    .find(([key]) => key === name)?.[1];

/** Each token's ids in the order of their first copy on the topic (kcat keeps each partition's order). */
const firstCopiesByToken = (records: readonly { token: string; id: string }[]): Map<string, string[]> => {
  const seen = new Set<string>();
  const out = new Map<string, string[]>();
  for (const { token, id } of records) {
    if (seen.has(id)) continue;
    seen.add(id);
    out.set(token, [...(out.get(token) ?? []), id]);
  }
  return out;
};

/**
 * True once the group has committed every partition of `topic` that holds records up to its end;
 * undefined before, also while the broker's coordinator for the new group is not ready.
 */
const caughtUp = async (admin: Admin, groupId: string, topic: string): Promise<true | undefined> => {
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const at = new Map(committed?.partitions.map((p) => [p.partition, p.offset]));
    return ends.every((e) => e.high === e.low || at.get(e.partition) === e.high) ? true : undefined;
  } catch {
    return undefined;
  }
};

let sim: RunningSimulator;
let admin: Admin;
beforeAll(async () => {
  sim = await startSimulator({ rate: 0, historicalRatePerSecond: 0 });
  admin = new Kafka({ brokers: [inject('kafkaBroker')], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
  await sim.close();
});

describe('the dedupe consumer example (examples/dedupe-consumer)', () => {
  it('delivers every tick id once, in per-token order, after tickflow published the same ticks twice', async () => {
    const broker = inject('kafkaBroker');
    const env = backfillEnv(sim, broker, inject('redisUrl'), { LOG_LEVEL: 'warn' });
    const topic = env['TICK_TOPIC']!;

    // The duplicates, made by tickflow: one day of minute bars backfilled twice under two plan ids.
    for (const planId of ['dedupe-first', 'dedupe-again']) {
      const run = startTickflow(
        ['backfill', '--days', '1', '--tokens', TOKENS.join(','), '--id', planId],
        env,
      );
      expect(await run.exited(), run.output()).toBe(0);
    }

    // An independent client sees every tick twice on the topic.
    const onTopic = (await readTopicWithKcat(broker, topic)).map((m) => {
      const tick = JSON.parse(m.value) as { token: string; id: string };
      return { token: m.key, id: header(m, 'tick-id') ?? '', tickToken: tick.token, valueId: tick.id };
    });
    const copies = new Map<string, number>();
    for (const { id } of onTopic) copies.set(id, (copies.get(id) ?? 0) + 1);
    const distinct = new Set(copies.keys());
    expect(new Set(copies.values())).toEqual(new Set([2]));
    expect(onTopic.every((r) => r.id === r.valueId && r.token === r.tickToken)).toBe(true);
    expect(new Set(onTopic.map((r) => r.token))).toEqual(new Set(TOKENS));

    const groupId = `dedupe-example-${topic}`;
    let consumer: ConsumerProcess | undefined;
    try {
      consumer = startDedupeConsumer({ KAFKA_BROKER: broker, TICK_TOPIC: topic, GROUP_ID: groupId });
      const running = consumer;
      await waitFor(
        'the consumer to commit the whole topic',
        () => caughtUp(admin, groupId, topic),
        45_000,
      ).catch((e: unknown) => {
        const lines = running.stdout().split('\n').length - 1;
        throw new Error(`${String(e)}; ${lines} lines on stdout; stderr:\n${running.stderr().slice(-3000)}`);
      });
      expect(await consumer.stop(), consumer.stderr()).toBe(0);

      const delivered = consumer
        .stdout()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { token: string; id: string });
      // Zero duplicates, none missing, each token's ticks in the order they were first published.
      expect(delivered).toHaveLength(distinct.size);
      expect(new Set(delivered.map((t) => t.id))).toEqual(distinct);
      expect(firstCopiesByToken(delivered)).toEqual(firstCopiesByToken(onTopic));

      const stopped = consumer
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"event":"stopped"'))
        .map((l) => JSON.parse(l) as unknown);
      expect(stopped).toEqual([
        {
          event: 'stopped',
          delivered: distinct.size,
          repeatsDropped: distinct.size,
          withoutTickId: 0,
          unreadable: 0,
        },
      ]);
    } finally {
      consumer?.kill();
    }
  }, 90_000);
});
