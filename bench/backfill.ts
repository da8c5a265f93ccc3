// Backfill benchmark: time to plan, fetch (from the simulator, its rate limit off) and publish
// 5 trading days of 1-minute bars for the 51 instruments, with the backfill job's own API and its
// two forked stage processes. Usage: node bench/backfill.ts [--days 5] [--interval minute]
import '../src/adapters/kafka/kafkajs/quiet-kafkajs-timeout-warning.ts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { either as E } from 'fp-ts';
import { ConsoleLogger } from '../src/adapters/logging/console-logger.ts';
import { MemoryMetrics } from '../src/adapters/memory/memory-metrics.ts';
import { buildBackfillParent } from '../src/app/root/backfill-root.ts';
import { choosePlan, resolveRequest } from '../src/app/backfill/plan-request.ts';
import { decodeServiceConfig } from '../src/app/root/config/service-config.ts';
import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from '../src/domain/candle.ts';
import { demoLoginEnv } from './support/demo-login-env.ts';
import { parseOptions } from './support/bench-args.ts';
import { benchKafka } from './support/bench-kafka.ts';
import { emit, machineLoad, note, round } from './support/bench-output.ts';
import { startSimulatorProcess } from './support/simulator-process.ts';

const USAGE = 'node bench/backfill.ts [--days 5] [--interval minute]';

const isInterval = (s: string): s is CandleInterval => Object.hasOwn(CANDLE_INTERVAL_MINUTES, s);

export const runBackfillBench = async (argv: readonly string[]): Promise<void> => {
  const opts = parseOptions(argv, { days: 5, interval: 'minute' }, USAGE);
  const interval = opts.interval;
  if (!isInterval(interval)) throw new Error(`--interval: unknown interval ${interval}`);
  const kafka = await benchKafka();
  const sim = await startSimulatorProcess(0, ['--historical-rate', '0']);
  const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-bench-backfill-'));
  // The stage processes are forked with this environment and decode their settings from it.
  const env: Record<string, string> = {
    ...demoLoginEnv(sim.url),
    MSTOCK_HISTORY_RATE_PER_SECOND: '0',
    KAFKA_BROKER: kafka.broker,
    TICK_TOPIC: `bench-backfill-${randomUUID().slice(0, 8)}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  };
  try {
    const config = decodeServiceConfig(env, 'backfill');
    if (E.isLeft(config)) throw new Error(config.left.join('; '));
    const t0 = performance.now();
    let planned: number | undefined;
    let fetched: number | undefined;
    const parent = await buildBackfillParent(config.right, {
      env,
      logger: new ConsoleLogger({ level: 'warn', format: 'human', out: process.stderr }),
      metrics: new MemoryMetrics(),
      onProgress: (_, p) => {
        planned ??= performance.now();
        if (fetched === undefined && p.total > 0 && p.pending + p.failed === 0) fetched = performance.now();
      },
    });
    try {
      const request = resolveRequest(
        { tokens: parent.instruments.tokens, interval, span: { kind: 'days', days: opts.days } },
        parent.session,
        parent.clock.now(),
      );
      const choice = await choosePlan(parent.store, request, true);
      note(
        `backfill: ${request.tokens.length} instruments, ${request.windows.length} days ` +
          `(${request.windows[0]?.day ?? ''} to ${request.windows.at(-1)?.day ?? ''}), ${interval} bars`,
      );
      const outcome = await parent.runJob(
        { kind: 'new', request: { ...request, planId: choice.planId } },
        new AbortController().signal,
      );
      const done = performance.now();
      if (outcome.status !== 'succeeded')
        throw new Error(`backfill ${outcome.status}: ${JSON.stringify(outcome)}`);
      const seconds = (done - t0) / 1000;
      emit({
        bench: 'backfill',
        case: `${request.tokens.length}x${request.windows.length}d-${interval}`,
        instruments: request.tokens.length,
        days: request.windows.length,
        chunks: outcome.progress.total,
        bars: outcome.progress.publishedBars,
        // From the start of the job's API (event log, plan) to the first progress report.
        planSeconds: round(((planned ?? done) - t0) / 1000, 2),
        // Until every chunk was downloaded (publishing runs alongside, as a pipeline).
        fetchedSeconds: round(((fetched ?? done) - t0) / 1000, 2),
        // Until every bar was published to Kafka and acknowledged.
        totalSeconds: round(seconds, 2),
        barsPerSecond: Math.round(outcome.progress.publishedBars / seconds),
        ...machineLoad(),
      });
    } finally {
      await parent.close();
    }
  } finally {
    await sim.stop();
    await kafka.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

if (import.meta.main) await runBackfillBench(process.argv.slice(2));
