import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { startTickflow, type ServiceProcess } from '../../support/service-process.ts';

const REPORT =
  /^\[ERROR\] Another login with the same user \(MSTOCK_USER\) ended this m\.Stock session; each tickflow instance needs its own m\.Stock credentials/;
const WINDOW_MS = 15_000;

const logins = (sim: RunningSimulator): number => sim.stats().rest.counts['session/verifytotp'] ?? 0;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('two tickflow live processes with the same m.Stock user, against a single-session broker', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, rate: 200, alwaysOpen: true, singleSession: true });
  });
  afterAll(async () => sim.close());

  /** Its own DATA_DIR, METRICS_PORT and topic; the same simulator, user, Kafka and Redis. */
  const instance = async (): Promise<{ process: ServiceProcess; metricsUrl: string }> => {
    const port = await freePort();
    const shared = {
      KAFKA_BROKER: inject('kafkaBroker'),
      REDIS_URL: inject('redisUrl'),
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'human',
      BACKFILL_ON_START: 'never',
    };
    const own = {
      TICK_TOPIC: `ticks-${randomUUID().slice(0, 8)}`,
      METRICS_PORT: String(port),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-single-session-')),
    };
    const process = startTickflow(['live'], { ...simulatorEnv(sim), ...shared, ...own });
    return { process, metricsUrl: `http://127.0.0.1:${port}/metrics` };
  };

  it('each says once that another login ends its session, and neither logs in in a tight loop', async () => {
    const a = await instance();
    const b = await instance();
    try {
      for (const side of [a, b]) await side.process.waitForLine(REPORT, 60_000);
      const before = logins(sim);
      await pause(WINDOW_MS);
      const during = logins(sim) - before;
      // Once reported, each login waits at least 2.5 s (half of the first 5 s step): at most 8 in
      // the window. Fighting at reconnect speed (a 0.5 s backoff and a login) would be dozens.
      expect(during).toBeLessThanOrEqual(WINDOW_MS / 2500 + 2);
      for (const side of [a, b]) {
        const lines = side.process.output().split('\n');
        expect(lines.filter((l) => REPORT.test(l))).toHaveLength(1);
        expect(lines.some((l) => l.startsWith('[INFO] Connected to MStock WebSocket'))).toBe(true);
        const metrics = await (await fetch(side.metricsUrl)).text();
        expect(metrics).toMatch(/^mstock_session_taken_over_total 1$/m);
      }
      a.process.child.kill('SIGTERM');
      b.process.child.kill('SIGTERM');
      expect(await a.process.exited()).toBe(0);
      expect(await b.process.exited()).toBe(0);
    } finally {
      a.process.child.kill('SIGKILL');
      b.process.child.kill('SIGKILL');
    }
  });
});
