import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { startTickflow } from '../../support/service-process.ts';

const run = promisify(execFile);

describe('tickflow demo: the first run a user makes', () => {
  it('starts its own Kafka, shows ticks acknowledged by it, and serves promtool-clean metrics while running', async () => {
    const port = await freePort();
    const demo = startTickflow(['demo', '--duration', '30', '--rate', '300'], {
      METRICS_PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'human',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-demo-')),
      // No KAFKA_BROKER / REDIS_URL: the demo must start real ones itself.
      TICKFLOW_INFRA: 'local',
    });
    try {
      await demo.waitForLine(
        /^\[INFO\] Kafka 127\.0\.0\.1:\d+ \(local\), Redis redis:\/\/127\.0\.0\.1:\d+ \(local\)$/,
        90_000,
      );
      await demo.waitForLine(/^\[INFO\] Kafka Producer Ready/, 60_000);
      await demo.waitForLine(/^\[INFO\] Connected to MStock WebSocket\b/, 30_000);
      const status = await demo.waitForLine(/acknowledged by Kafka [1-9]\d*/, 30_000);
      expect(status).toMatch(/feed connected/);

      // The demo takes another port when the asked one was taken meanwhile: read where it listens.
      const telemetry = await demo.waitForLine(/Telemetry listening url=http:\/\/127\.0\.0\.1:\d+/, 5_000);
      const url = /url=(\S+)/.exec(telemetry)?.[1] ?? `http://127.0.0.1:${port}`;
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const check = run('promtool', ['check', 'metrics']);
      check.child.stdin?.end(metrics);
      const { stdout, stderr } = await check;
      expect(stdout + stderr).toBe('');
      expect(Number(/^ticks_accepted_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);

      expect(await demo.exited()).toBe(0);
    } finally {
      demo.child.kill('SIGKILL');
    }
    const summary =
      /Demo finished: (\d+) ticks received, (\d+) acknowledged by Kafka \(topic market_ticks\), 0 refused/.exec(
        demo.output(),
      );
    expect(summary).not.toBeNull();
    expect(Number(summary?.[2])).toBe(Number(summary?.[1]));
    expect(Number(summary?.[2])).toBeGreaterThan(1000);
  });

  it('where no Kafka can be had, says so and writes every tick to the NDJSON file instead', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-demo-file-'));
    const demo = startTickflow(['demo', '--duration', '8', '--rate', '300'], {
      // No java on the PATH: the local Kafka cannot start. Redis is the test bed's.
      PATH: '/nonexistent',
      REDIS_URL: inject('redisUrl'),
      TICKFLOW_INFRA: 'local',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(await freePort()),
      LOG_FORMAT: 'human',
      DATA_DIR: dataDir,
    });
    try {
      await demo.waitForLine(/^\[WARN\] No Kafka could be had .*writing ticks to a file instead$/, 60_000);
      expect(await demo.exited()).toBe(0);
    } finally {
      demo.child.kill('SIGKILL');
    }
    const lines = readFileSync(join(dataDir, 'demo-ticks.ndjson'), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const ticks = lines.map((l) => JSON.parse(l) as { token: string; ltp: number; timestamp: number });
    expect(ticks.length).toBeGreaterThan(300);
    for (const t of ticks.slice(0, 50)) {
      expect(t.token).toMatch(/^\d+$/);
      expect(t.ltp).toBeGreaterThan(0);
    }
    // Every tick the demo accepted is in the file: the summary's count is the file's.
    const summary =
      /Demo finished: (\d+) ticks received, (\d+) acknowledged by \S+demo-ticks\.ndjson, 0 refused/.exec(
        demo.output(),
      );
    expect(Number(summary?.[2])).toBe(ticks.length);
  });
});
