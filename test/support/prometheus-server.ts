import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/dev/infra/free-port.ts';

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

/** A real Prometheus in a temp dir, scraping the given targets every second. */
export interface PrometheusServer {
  readonly url: string;
  output(): string;
  /** The result vector of an instant query; throws when Prometheus answers with an error. */
  query(promql: string): Promise<unknown[]>;
  stop(): Promise<void>;
}

const configFor = (targets: readonly string[]): string =>
  [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: tickflow',
    '    static_configs:',
    `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
    '',
  ].join('\n');

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null;

const stopChild = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
};

const waitReady = async (url: string, child: ChildProcess, output: () => string, deadline: number) => {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${output()}`);
    const ok = await fetch(`${url}/-/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`prometheus not ready at ${url}/-/ready within the deadline:\n${output().slice(-3000)}`);
};

/** Starts /usr/bin/prometheus on a free loopback port; resolves once `/-/ready` answers 200. */
export const startPrometheus = async (targets: readonly string[]): Promise<PrometheusServer> => {
  if (!existsSync(PROMETHEUS_BINARY))
    throw new Error(
      `${PROMETHEUS_BINARY} is missing: install Debian's prometheus package (scripts/setup.sh)`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'tickflow-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, configFor(targets));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    PROMETHEUS_BINARY,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  const collect = (chunk: Buffer): void => {
    text = (text + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => text, Date.now() + 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    output: () => text,
    stop,
    query: async (promql) => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body: unknown = await res.json();
      if (!isRecord(body) || body['status'] !== 'success' || !isRecord(body['data']))
        throw new Error(`query ${promql} failed: ${JSON.stringify(body)}`);
      const result: unknown = body['data']['result'];
      const series: unknown[] = Array.isArray(result) ? result : [];
      return series;
    },
  };
};
