import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { backfillEnv } from '../../int/backfill/backfill-env.ts';
import { readTopicWithKcat, type KcatMessage } from '../../support/kcat.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { startTickflow } from '../../support/service-process.ts';
import { consumeTopicOnce, firstCopiesByToken } from './consumer-process.ts';

const TOKENS = ['26000', '25'];

/** kcat's `%h`: `name=value` pairs joined by commas (no tick-id holds a comma or `=`). */
const header = (m: KcatMessage, name: string): string | undefined =>
  m.headers
    .split(',')
    .map((pair) => pair.split('='))
    .find(([key]) => key === name)?.[1];

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ rate: 0, historicalRatePerSecond: 0 });
});
afterAll(async () => {
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

    const consumed = await consumeTopicOnce(broker, topic, 45_000);
    expect(consumed.exitCode).toBe(0);
    // Zero duplicates, none missing, each token's ticks in the order they were first published.
    expect(consumed.delivered).toHaveLength(distinct.size);
    expect(new Set(consumed.delivered.map((t) => t.id))).toEqual(distinct);
    expect(firstCopiesByToken(consumed.delivered)).toEqual(firstCopiesByToken(onTopic));
    expect(consumed.stopped).toEqual([
      {
        event: 'stopped',
        delivered: distinct.size,
        repeatsDropped: distinct.size,
        withoutTickId: 0,
        unreadable: 0,
      },
    ]);
  }, 90_000);
});
