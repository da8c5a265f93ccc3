import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { PrometheusMetrics } from '../../../src/adapters/prometheus/prometheus-metrics.ts';
import { startBackfillCoordinator } from '../../../src/app/root/backfill-root.ts';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { type RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { readTopic } from '../../int/kafka/fixtures/read-topic.ts';
import { expectTopicMatchesSchema } from '../../support/topic-schema-check.ts';
import { backfillEnv, configOf } from '../../int/backfill/backfill-env.ts';
import { expectedIds, historicalByToken, total, waitFor } from './backfill-e2e-support.ts';

/**
 * Saturday 2026-10-24, 10:00 IST: the market is closed. The five trading days before it skip the
 * weekend of 17–18 October and the Dussehra holiday on Tuesday the 20th.
 */
const SATURDAY = epochMs(Date.parse('2026-10-24T10:00:00+05:30'));
const DAYS = ['2026-10-16', '2026-10-19', '2026-10-21', '2026-10-22', '2026-10-23'];
const BARS = 51 * 5 * 375;

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ rate: 0, historicalRatePerSecond: 0 });
});
afterAll(async () => {
  await sim.close();
});

describe('backfill at start, against the simulator, Redis and Kafka', () => {
  it('backfills 5 trading days of all 51 instruments once; START_BACKFILL runs again and adds no new id', async () => {
    const env = backfillEnv(sim, inject('kafkaBroker'), inject('redisUrl'), { BACKFILL_ON_START: 'auto' });
    const config = configOf(env);
    const session = makeMarketSession();
    expect(session.previousTradingDays(SATURDAY, 5).reverse()).toEqual(DAYS);
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    const logger = new MemoryLogger('info');
    const started = performance.now();
    const running = await startBackfillCoordinator(config, {
      env,
      logger,
      metrics,
      clock: new ManualClock(SATURDAY),
    });
    try {
      const firstPlan = running.coordinator.current;
      expect(firstPlan).toMatch(/^minute-2026-10-16_2026-10-23-51t-/);

      // While it runs, /metrics shows the job running and the stage processes' broker calls.
      const whileRunning = await waitFor('the stages’ calls in /metrics', async () => {
        const text = await metrics.exposition();
        return /^batch_job_status 1$/m.test(text) &&
          /^external_api_calls_total\{endpoint="historical",status="200"\} [1-9]/m.test(text)
          ? text
          : undefined;
      });
      expect(whileRunning).toMatch(
        /^external_api_call_duration_seconds_count\{endpoint="historical"\} [1-9]/m,
      );

      await running.coordinator.idle();
      const firstRunSeconds = (performance.now() - started) / 1000;
      expect(running.coordinator.outcomes).toMatchObject([
        {
          status: 'succeeded',
          planId: firstPlan,
          progress: { total: 153, published: 153, publishedBars: BARS },
        },
      ]);
      const expected = await expectedIds(config.app, session, SATURDAY, 5);
      expect(expected.size).toBe(BARS);
      const first = await readTopic(inject('kafkaBroker'), env['TICK_TOPIC']!);
      const firstIds = first.map((m) => m.headers['tick-id'] ?? '');
      expect(firstIds).toHaveLength(BARS);
      expect(new Set(firstIds)).toEqual(expected);
      expect(first.every((m) => m.tick.source === 'backfill' && m.key === m.tick.token)).toBe(true);
      const requestsFirst = historicalByToken(sim);
      expect(await metrics.exposition()).toMatch(/^batch_job_status 2$/m);

      // An operator asks again, as `redis-cli PUBLISH system:commands START_BACKFILL` would.
      const redis = new Redis(inject('redisUrl'));
      const started2 = performance.now();
      try {
        expect(await redis.publish(env['REDIS_COMMAND_CHANNEL']!, 'START_BACKFILL')).toBe(1);
      } finally {
        redis.disconnect();
      }
      await waitFor('the second run', () => (running.coordinator.outcomes.length === 2 ? true : undefined));
      const secondRunSeconds = (performance.now() - started2) / 1000;
      expect(running.coordinator.outcomes[1]).toMatchObject({
        status: 'succeeded',
        planId: `${firstPlan}.r2`,
      });
      expect(await metrics.exposition()).toMatch(/^system_commands_total\{outcome="started"\} 1$/m);

      const both = await readTopic(inject('kafkaBroker'), env['TICK_TOPIC']!);
      // Every bar was sent again, under the same id: a consumer that drops repeated ids sees no change.
      expect(both).toHaveLength(2 * BARS);
      expect(new Set(both.map((m) => m.headers['tick-id']))).toEqual(expected);
      expect(total(historicalByToken(sim))).toBe(2 * total(requestsFirst));
      // The backfilled ticks as a consumer reads them (kcat), against the published schema.
      expect(await expectTopicMatchesSchema(inject('kafkaBroker'), env['TICK_TOPIC']!, 'ticks')).toHaveLength(
        2 * BARS,
      );
      console.log(
        `[backfill e2e] 51 tokens × 5 days: first run ${firstRunSeconds.toFixed(1)} s ` +
          `(${total(requestsFirst)} historical requests, ${BARS} bars), second run ${secondRunSeconds.toFixed(1)} s`,
      );
    } finally {
      await running.stop();
    }
  }, 600_000);
});
