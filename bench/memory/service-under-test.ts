import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/dev/infra/free-port.ts';
import { demoLoginEnv } from '../support/demo-login-env.ts';

const MAIN = fileURLToPath(new URL('../../src/app/root/cli/main.ts', import.meta.url));

export interface ServiceUnderTest {
  readonly pid: number;
  /** A counter or gauge from the service's /metrics (no labels), or undefined when absent. */
  metric(name: string): Promise<number | undefined>;
  /** The whole /metrics page, for labelled series and histograms. */
  metricsText(): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  readonly apiUrl: string;
  readonly wsUrl: string;
  readonly broker: string;
  readonly redisUrl: string;
  readonly topic: string;
  readonly client: string;
  /** More settings for this run (e.g. INSTRUMENTS_QUERY); they override the ones above. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * `tickflow live` as an operator runs it, against the simulator and real Kafka: the process whose
 * resident memory the benchmark reads. Resolves once the producer is ready and the feed connected.
 */
export const startServiceUnderTest = async (o: ServiceOptions): Promise<ServiceUnderTest> => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-bench-service-'));
  const child: ChildProcess = spawn(process.execPath, [MAIN, 'live'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...demoLoginEnv(o.apiUrl),
      MSTOCK_WS_URL: o.wsUrl,
      KAFKA_BROKER: o.broker,
      KAFKA_CLIENT: o.client,
      REDIS_URL: o.redisUrl,
      TICK_TOPIC: o.topic,
      METRICS_PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      BACKFILL_ON_START: 'never',
      ...o.env,
    },
  });
  let text = '';
  const keep = (chunk: Buffer): void => {
    // The log is for the report on failure: keep its tail only, so the benchmark's own memory stays flat.
    text = (text + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('tickflow live did not start');
  const deadline = Date.now() + 90_000;
  while (!/Connected to MStock WebSocket/.test(text)) {
    if (child.exitCode !== null) throw new Error(`tickflow live exited: ${text}`);
    if (Date.now() > deadline) throw new Error(`tickflow live did not connect in 90 s: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const metricsText = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const metric = async (name: string): Promise<number | undefined> => {
    const body = await metricsText();
    const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(body);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  return {
    pid,
    metric,
    metricsText,
    output: () => text,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
