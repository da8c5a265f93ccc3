import { fork } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { PrometheusMetrics } from '../../../src/adapters/prometheus/prometheus-metrics.ts';
import { BackfillJob } from '../../../src/app/backfill/backfill-job.ts';
import { buildBackfillParent } from '../../../src/app/root/backfill-root.ts';
import { jobSettingsOf } from '../../../src/app/root/config/backfill-settings.ts';
import { ChunkFiles } from '../../../src/adapters/backfill-stages/chunk-files.ts';
import {
  forkStageLauncher,
  stageScriptPath,
} from '../../../src/adapters/backfill-stages/fork-stage-launcher.ts';
import { resolveRequest } from '../../../src/app/backfill/plan-request.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { tickId } from '../../../src/domain/tick.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { type RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { readTopic } from '../kafka/fixtures/read-topic.ts';
import { backfillEnv, configOf } from './backfill-env.ts';

/** Saturday 2026-11-21 10:00 IST: the market is closed; the week before has five regular sessions. */
const SATURDAY = epochMs(Date.parse('2026-11-21T10:00:00+05:30'));
const broker = (): string => inject('kafkaBroker');
const redisUrl = (): string => inject('redisUrl');

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ rate: 0, historicalRatePerSecond: 0 });
});
afterAll(async () => {
  await sim.close();
});

const parentOf = async (env: Record<string, string>) => {
  const config = configOf(env);
  const metrics = new PrometheusMetrics({ defaultMetrics: false });
  const logger = new MemoryLogger('info');
  const parent = await buildBackfillParent(config, {
    env,
    logger,
    metrics,
    clock: new ManualClock(SATURDAY),
  });
  return { parent, metrics, logger };
};

describe('backfill stages as forked processes', () => {
  it('fetch from the simulator and publish to Kafka; the stages’ API calls show in the parent’s metrics', async () => {
    const env = backfillEnv(sim, broker(), redisUrl());
    const { parent, metrics } = await parentOf(env);
    const request = resolveRequest(
      {
        tokens: [instrumentToken(2885), instrumentToken(26000)],
        interval: 'minute',
        span: { kind: 'days', days: 2 },
      },
      parent.session,
      parent.clock.now(),
    );
    const outcome = await parent.runJob({ kind: 'new', request }, new AbortController().signal);
    await parent.close();

    expect(outcome).toMatchObject({ status: 'succeeded', progress: { published: 2, publishedBars: 1500 } });
    const messages = await readTopic(broker(), env['TICK_TOPIC']!);
    expect(new Set(messages.map((m) => m.headers['tick-id'])).size).toBe(1500);
    expect(new Set(messages.map((m) => tickId(m.tick))).size).toBe(1500);
    expect(messages.every((m) => m.tick.source === 'backfill')).toBe(true);
    const text = await metrics.exposition();
    expect(text).toContain('external_api_calls_total{endpoint="historical",status="200"} 2');
    expect(text).toMatch(/external_api_call_duration_seconds_count\{endpoint="historical"\} 2/);
    expect(text).toContain('batch_job_status 2');
  });

  it('a stage that cannot log in reports it and is not restarted; the job fails', async () => {
    const env = backfillEnv(sim, broker(), redisUrl(), { MSTOCK_PASS: 'wrong' });
    const { parent, metrics } = await parentOf(env);
    const request = resolveRequest(
      { tokens: [instrumentToken(2885)], interval: 'minute', span: { kind: 'days', days: 1 } },
      parent.session,
      parent.clock.now(),
    );
    const outcome = await parent.runJob({ kind: 'new', request }, new AbortController().signal);
    await parent.close();

    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.reason).toMatch(
      /fetch stage cannot work: .*username or password/,
    );
    expect(await metrics.exposition()).toContain('backfill_child_restarts_total{stage="fetch"} 0');
  });

  it('a stage that refuses its work (a relative data file path) fails the job at once, with the reason', async () => {
    const env = backfillEnv(sim, broker(), redisUrl());
    const { parent, metrics, logger } = await parentOf(env);
    const request = resolveRequest(
      { tokens: [instrumentToken(2885)], interval: 'minute', span: { kind: 'days', days: 1 } },
      parent.session,
      parent.clock.now(),
    );
    // The forked fetch stage, as the service runs it, sent files under a relative folder.
    const job = new BackfillJob(
      {
        store: parent.store,
        launch: forkStageLauncher({ env }),
        files: new ChunkFiles('.tickflow/backfill'),
        clock: parent.clock,
        logger,
        metrics,
        exchangeOf: () => 'NSE',
      },
      jobSettingsOf(configOf(env).app),
      { kind: 'new', request },
    );
    const outcome = await job.run();
    await parent.close();

    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.reason).toBe(
      'the fetch stage refused its work: parent message "fetch": items.0.file: expected an absolute path',
    );
    const text = await metrics.exposition();
    expect(text).toContain('batch_job_status 3');
    expect(text).toContain('backfill_chunks{state="pending"} 1');
  });

  it('a stage process exits when its parent goes away', async () => {
    const env = backfillEnv(sim, broker(), redisUrl());
    const child = fork(stageScriptPath('fetch'), ['--heartbeat-ms=50'], {
      env,
      execArgv: [],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    const firstMessage = new Promise((resolve) => child.once('message', resolve));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await firstMessage;
    child.disconnect();
    expect(await exited).toBe(0);
  });
});
