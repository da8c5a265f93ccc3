import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';

const MAIN = fileURLToPath(new URL('../../src/app/root/cli/main.ts', import.meta.url));

/** The part of `GET /sim/stats` the benchmarks read. */
const SimStatsCodec = t.type({
  totals: t.type({ packetsSent: t.number, framesSent: t.number }),
  clients: t.array(t.type({ framesDroppedForBackpressure: t.number })),
});
export type SimStats = t.TypeOf<typeof SimStatsCodec>;

export interface SimulatorProcess {
  readonly url: string;
  readonly wsUrl: string;
  readonly pid: number | undefined;
  stats(): Promise<SimStats>;
  stop(): Promise<void>;
}

/**
 * The m.Stock simulator as its own process (`tickflow simulate`), so the exchange side of a
 * benchmark does not share the measured process's event loop. Demo credentials.
 */
export const startSimulatorProcess = async (
  rate: number,
  extraArgs: readonly string[] = [],
): Promise<SimulatorProcess> => {
  const child: ChildProcess = spawn(
    process.execPath,
    [MAIN, 'simulate', '--port', '0', '--rate', String(rate), '--always-open', ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const m = /REST (http:\/\/[^\s,]+)/.exec(output);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited (${code ?? 'signal'}): ${output}`));
    });
  });
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    pid: child.pid,
    stats: async () => {
      const body: unknown = await (await fetch(`${url}/sim/stats`)).json();
      const decoded = SimStatsCodec.decode(body);
      if (E.isLeft(decoded)) throw new Error('the simulator answered /sim/stats in an unknown shape');
      return decoded.right;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
};
