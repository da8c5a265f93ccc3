import { either as E } from 'fp-ts';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { packagedInstrumentFile } from '../../../adapters/instruments/packaged-instrument-file.ts';
import { DEMO_CREDENTIALS, startSimulator } from '../../../simulator/index.ts';
import type { SinkChoice } from '../container.ts';
import { renderDemoScreen } from '../../../dev/demo/demo-screen.ts';
import { simulatorCredentials, simulatorEnv } from '../../../dev/demo/simulator-env.ts';
import { startTestBed, type TestBed } from '../../../dev/infra/test-bed.ts';
import { startLivePipeline } from '../live-pipeline.ts';
import { refuseArgs, type Command } from './command.ts';
import { integerFlag, readArgs } from './flags.ts';
import { startup } from '../startup.ts';

const HELP = `tickflow demo [--duration <seconds>] [--rate <ticks/s>]

Runs the whole pipeline with no credentials: the built-in m.Stock simulator → tickflow → real Kafka
and Redis. KAFKA_BROKER and REDIS_URL are used when set; otherwise tickflow starts local ones (Kafka
from Maven jars, Debian's redis-server; see the README). Where no Kafka can be had it says so and
writes the ticks to DATA_DIR/demo-ticks.ndjson instead.

  --duration <s>   stop by itself after this many seconds (default: run until Ctrl-C)
  --rate <n>       ticks per second the simulator sends across all instruments (default 200)`;

/** The flags, checked before anything is started: `--duration` (0: until a signal) and `--rate`. */
const parseDemoArgs = (
  args: readonly string[],
): E.Either<readonly string[], { readonly duration: number; readonly rate: number }> => {
  const { parsed, problems } = readArgs(args, { values: ['--duration', '--rate'] });
  const duration = integerFlag('--duration', parsed.values['--duration'], { min: 1 });
  const rate = integerFlag('--rate', parsed.values['--rate'], { min: 1 });
  const all = [...problems, ...[duration, rate].flatMap((r) => (E.isLeft(r) ? [r.left] : []))];
  if (E.isLeft(duration) || E.isLeft(rate) || all.length > 0) return E.left(all);
  return E.right({ duration: duration.right ?? 0, rate: rate.right ?? 200 });
};

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the pipeline on the built-in simulator with real local Kafka and Redis',
  help: HELP,
  run: async (args) => {
    const flags = parseDemoArgs(args);
    if (E.isLeft(flags)) return refuseArgs('demo', flags.left);
    const { duration, rate } = flags.right;
    // Whatever the demo started, it stops, on every way out: the end, an error, a signal at any time.
    const started: (() => Promise<unknown>)[] = [];
    const ending = new AbortController();
    let signalled = false;
    const onSignal = (): void => {
      // A second signal does not wait: the exit handlers still end the local servers.
      if (signalled) process.exit(130);
      signalled = true;
      ending.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return await runDemo({ duration, rate }, ending.signal, started);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      for (const stop of started.splice(0).reverse()) await stop().catch(() => undefined);
    }
  },
};

/** Exit code of a demo stopped by a signal before it was up. */
const INTERRUPTED = 130;

/**
 * The demo's start and run. Each thing started pushes its stop onto `started` at once (the caller
 * runs them in reverse); `ending` (a signal, or the duration) ends the run, or the start early.
 */
const runDemo = async (
  { duration, rate }: { readonly duration: number; readonly rate: number },
  ending: AbortSignal,
  started: (() => Promise<unknown>)[],
): Promise<number> => {
  // A function, not the property: TypeScript would keep `ending.aborted` narrowed across awaits.
  const interrupted = (): boolean => ending.aborted;
  const tty = process.stdout.isTTY;
  const say = (line: string): void => void process.stdout.write(`${line}\n`);

  let bed: TestBed | undefined;
  let sinkChoice: SinkChoice = { kind: 'kafka' };
  // A demo shows the live feed; backfill runs on START_BACKFILL (or BACKFILL_ON_START when set).
  const env: Record<string, string | undefined> = { BACKFILL_ON_START: 'never', ...process.env };
  say('[INFO] Starting Kafka and Redis (first run fetches the Kafka jars; this can take a minute)');
  try {
    const up = await startTestBed(process.env, ending);
    bed = up;
    started.push(() => up.stop());
    env['KAFKA_BROKER'] = up.kafkaBroker;
    env['REDIS_URL'] = up.redisUrl;
    say(`[INFO] Kafka ${up.kafkaBroker} (${up.origin.kafka}), Redis ${up.redisUrl} (${up.origin.redis})`);
  } catch (e) {
    if (interrupted()) return INTERRUPTED;
    say(
      `[WARN] No Kafka could be had (${(e as Error).message.split('\n')[0] ?? ''}); writing ticks to a file instead`,
    );
  }
  const s = await startup(env, 'demo', 'demo');
  if (s === undefined) return 2;
  if (interrupted()) return INTERRUPTED;
  const dataDir = s.config.app.dataDir;
  mkdirSync(dataDir, { recursive: true });
  if (bed === undefined) sinkChoice = { kind: 'ndjson', path: join(dataDir, 'demo-ticks.ndjson') };

  const sim = await startSimulator({
    port: 0,
    rate,
    alwaysOpen: true,
    credentials: DEMO_CREDENTIALS,
    instrumentFile: packagedInstrumentFile(),
    // A query selects from a whole market's master: the simulator serves one of 5,000 instruments.
    ...(s.instruments.kind === 'query' ? { universe: 'large' as const } : {}),
  });
  started.push(() => sim.close());
  say(`[INFO] m.Stock simulator on ${sim.url}`);
  if (interrupted()) return INTERRUPTED;
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
  if (pipeline === undefined) return 1;
  started.push(() => pipeline.stop());
  if (interrupted()) return INTERRUPTED;
  const service = pipeline.service;

  const startedAt = Date.now();
  let lastAccepted = 0;
  const topic = sinkChoice.kind === 'kafka' ? s.config.kafka.topic : sinkChoice.path;
  const show = (): void => {
    const status = service.ingestion.snapshot();
    const perSecond = status.ticksAccepted - lastAccepted;
    lastAccepted = status.ticksAccepted;
    const lines = renderDemoScreen({
      status,
      instruments: pipeline.instruments(),
      ticksPerSecond: perSecond,
      elapsedSeconds: (Date.now() - startedAt) / 1000,
      metricsUrl: pipeline.telemetryUrl,
      kafka: bed?.kafkaBroker ?? 'none (file)',
      topic,
      width: process.stdout.columns,
    });
    if (tty) process.stdout.write(`\x1b[H\x1b[2J${lines.join('\n')}\n`);
    else say(`[INFO] ${lines[1] ?? ''}`);
  };
  const screen = setInterval(show, tty ? 1000 : 5000);
  started.push(() => Promise.resolve(clearInterval(screen)));

  const ended = new Promise<void>((resolve) => {
    ending.addEventListener('abort', () => resolve(), { once: true });
    if (duration > 0) setTimeout(resolve, duration * 1000).unref();
  });
  await Promise.race([service.done.catch(() => undefined), ended]);
  for (const stop of started.splice(0).reverse()) await stop();
  const final = service.ingestion.snapshot();
  say(
    `[INFO] Demo finished: ${final.ticksReceived} ticks received, ${final.ticksAccepted} acknowledged by ${sinkChoice.kind === 'kafka' ? `Kafka (topic ${topic})` : topic}, ${final.ticksRejected} refused`,
  );
  return final.ticksRejected === 0 ? 0 : 1;
};
