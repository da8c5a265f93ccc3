import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { DEMO_CREDENTIALS, startSimulator } from '../../simulator/index.ts';
import type { SinkChoice } from '../container.ts';
import { renderDemoScreen } from '../demo/demo-screen.ts';
import { simulatorCredentials, simulatorEnv } from '../demo/simulator-env.ts';
import { startTestBed, type TestBed } from '../infra/test-bed.ts';
import { startLivePipeline } from '../live-pipeline.ts';
import type { Command } from './command.ts';
import { startup } from './startup.ts';

const HELP = `tickflow demo [--duration <seconds>] [--rate <ticks/s>]

Runs the whole pipeline with no credentials: the built-in m.Stock simulator → tickflow → real Kafka
and Redis. KAFKA_BROKER and REDIS_URL are used when set; otherwise tickflow starts local ones (Kafka
from Maven jars, Debian's redis-server; see the README). Where no Kafka can be had it says so and
writes the ticks to DATA_DIR/demo-ticks.ndjson instead.

  --duration <s>   stop by itself after this many seconds (default: run until Ctrl-C)
  --rate <n>       ticks per second the simulator sends across all instruments (default 200)`;

const flag = (args: readonly string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const positiveInt = (v: string | undefined, fallback: number): number | undefined =>
  v === undefined ? fallback : /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the pipeline on the built-in simulator with real local Kafka and Redis',
  help: HELP,
  run: async (args) => {
    const duration = positiveInt(flag(args, '--duration'), 0);
    const rate = positiveInt(flag(args, '--rate'), 200);
    if (duration === undefined || rate === undefined) {
      process.stderr.write(`tickflow demo: --duration and --rate take positive whole numbers\n\n${HELP}\n`);
      return 2;
    }
    const tty = process.stdout.isTTY;
    const say = (line: string): void => void process.stdout.write(`${line}\n`);

    let bed: TestBed | undefined;
    let sinkChoice: SinkChoice = { kind: 'kafka' };
    // A demo shows the live feed; backfill runs on START_BACKFILL (or BACKFILL_ON_START when set).
    const env: Record<string, string | undefined> = { BACKFILL_ON_START: 'never', ...process.env };
    say('[INFO] Starting Kafka and Redis (first run fetches the Kafka jars; this can take a minute)');
    try {
      bed = await startTestBed(process.env);
      env['KAFKA_BROKER'] = bed.kafkaBroker;
      env['REDIS_URL'] = bed.redisUrl;
      say(
        `[INFO] Kafka ${bed.kafkaBroker} (${bed.origin.kafka}), Redis ${bed.redisUrl} (${bed.origin.redis})`,
      );
    } catch (e) {
      say(
        `[WARN] No Kafka could be had (${(e as Error).message.split('\n')[0] ?? ''}); writing ticks to a file instead`,
      );
    }
    const s = await startup(env, 'demo', 'demo');
    if (s === undefined) {
      await bed?.stop();
      return 2;
    }
    const dataDir = s.config.app.dataDir;
    mkdirSync(dataDir, { recursive: true });
    if (bed === undefined) sinkChoice = { kind: 'ndjson', path: join(dataDir, 'demo-ticks.ndjson') };

    const sim = await startSimulator({ port: 0, rate, alwaysOpen: true, credentials: DEMO_CREDENTIALS });
    say(`[INFO] m.Stock simulator on ${sim.url}`);
    // The same pipeline as `live`, pointed at the simulator. Backfill stage processes read their
    // settings from the environment, so it carries the simulator's address and demo credentials.
    const demoEnv = { ...env, ...simulatorEnv(sim) };
    const pipeline = await startLivePipeline({
      startup: s,
      env: demoEnv,
      sink: sinkChoice,
      broker: {
        apiUrl: sim.url,
        wsUrl: sim.wsUrl,
        credentials: simulatorCredentials,
      },
      anyMetricsPort: true,
      keepLatest: true,
    });
    if (pipeline === undefined) {
      await sim.close();
      await bed?.stop();
      return 1;
    }
    const service = pipeline.service;

    const started = Date.now();
    let lastAccepted = 0;
    const topic = sinkChoice.kind === 'kafka' ? s.config.kafka.topic : sinkChoice.path;
    const show = (): void => {
      const status = service.ingestion.snapshot();
      const perSecond = status.ticksAccepted - lastAccepted;
      lastAccepted = status.ticksAccepted;
      const lines = renderDemoScreen({
        status,
        instruments: s.instruments,
        ticksPerSecond: perSecond,
        elapsedSeconds: (Date.now() - started) / 1000,
        metricsUrl: service.telemetry.url,
        kafka: bed?.kafkaBroker ?? 'none (file)',
        topic,
        width: process.stdout.columns,
      });
      if (tty) process.stdout.write(`\x1b[H\x1b[2J${lines.join('\n')}\n`);
      else say(`[INFO] ${lines[1] ?? ''}`);
    };
    const screen = setInterval(show, tty ? 1000 : 5000);

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        clearInterval(screen);
        await pipeline.stop();
        await sim.close();
        await bed?.stop();
      })());
    const onSignal = (): void => void stop();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (duration > 0) setTimeout(onSignal, duration * 1000).unref();
    await service.done.catch(() => undefined);
    await stop();
    const final = service.ingestion.snapshot();
    say(
      `[INFO] Demo finished: ${final.ticksReceived} ticks received, ${final.ticksAccepted} acknowledged by ${sinkChoice.kind === 'kafka' ? `Kafka (topic ${topic})` : topic}, ${final.ticksRejected} refused`,
    );
    return final.ticksRejected === 0 ? 0 : 1;
  },
};
