import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { readTopicWithKcat } from '../../support/kcat.ts';
import { startTickflow } from '../../support/service-process.ts';

const run = promisify(execFile);

const promtool = async (text: string): Promise<string> => {
  const p = run('promtool', ['check', 'metrics']);
  p.child.stdin?.end(text);
  try {
    const { stdout, stderr } = await p;
    return stdout + stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `FAILED ${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
};

describe('tickflow live, end to end: simulator → service process → real Kafka', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, rate: 5000, alwaysOpen: true });
  });
  afterAll(async () => sim.close());

  const serviceEnv = async (topic: string): Promise<Record<string, string>> => ({
    ...simulatorEnv(sim),
    KAFKA_BROKER: inject('kafkaBroker'),
    REDIS_URL: inject('redisUrl'),
    TICK_TOPIC: topic,
    KAFKA_TOPIC_PARTITIONS: '3',
    METRICS_PORT: String(await freePort()),
    METRICS_HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'human',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-live-')),
    BACKFILL_ON_START: 'never',
    RECORD_FRAMES: 'true',
  });

  it('logs the seed lines, serves lint-clean metrics, publishes ticks, and loses no accepted tick on SIGTERM', async () => {
    const topic = `ticks-${randomUUID().slice(0, 8)}`;
    const env = await serviceEnv(topic);
    const service = startTickflow(['live'], env);
    const dataDir = env['DATA_DIR'] ?? '';
    try {
      await service.waitForLine(/^\[INFO\] Kafka Producer Ready/, 60_000);
      await service.waitForLine(/^\[INFO\] Connected to MStock WebSocket\b/, 30_000);
      await service.waitForLine(/^\[DEBUG\] Tick received for 26000$/, 30_000);

      const base = `http://127.0.0.1:${env['METRICS_PORT'] ?? ''}`;
      const body = await (await fetch(`${base}/metrics`)).text();
      expect(await promtool(body)).toBe('');
      expect(Number(/^websocket_packets_total (\d+)/m.exec(body)?.[1])).toBeGreaterThan(0);
      expect(Number(/^websocket_data_bytes_total (\d+)/m.exec(body)?.[1])).toBeGreaterThan(0);
      expect(body).toMatch(/^external_api_calls_total\{endpoint="[a-z_/]+",status="200"\} [1-9]/m);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);

      // Full rate for a while, then SIGTERM in the middle of it.
      await new Promise((r) => setTimeout(r, 3000));
      service.child.kill('SIGTERM');
      expect(await service.exited()).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
    }
    const stopped = /Ingestion stopped received=(\d+) accepted=(\d+) refused=(\d+)/.exec(service.output());
    expect(stopped).not.toBeNull();
    const accepted = Number(stopped?.[2]);
    expect(accepted).toBeGreaterThan(1000);
    expect(Number(stopped?.[3])).toBe(0);

    const messages = await readTopicWithKcat(inject('kafkaBroker'), topic);
    const values = messages.map(
      (m) =>
        JSON.parse(m.value) as { token: string; ltp: number; volume: number; timestamp: number; id: string },
    );
    const ids = new Set(values.map((v) => v.id));
    // Every accepted tick is in Kafka; the idempotent producer wrote none twice.
    expect(ids.size).toBe(accepted);
    expect(messages.length).toBe(accepted);
    for (const [i, m] of messages.entries()) {
      const v = values[i];
      expect(m.key).toBe(v?.token);
      expect(m.headers).toContain('schema-version=1');
      expect(typeof v?.ltp).toBe('number');
      expect(Number.isInteger(v?.timestamp)).toBe(true);
    }
    // Per token, cumulative volume never goes back: each partition kept the order ticks arrived in.
    const lastVolume = new Map<string, number>();
    for (const v of values) {
      expect(v.volume).toBeGreaterThanOrEqual(lastVolume.get(v.token) ?? 0);
      lastVolume.set(v.token, v.volume);
    }
    // All 51 instruments of the default list reached Kafka.
    expect(new Set(values.map((v) => v.token)).size).toBe(51);

    // RECORD_FRAMES recorded the session; replaying it gives back every published message, byte for byte.
    const recordings = join(dataDir, 'recordings');
    const out = join(dataDir, 'replayed.ndjson');
    const replay = startTickflow(['replay', recordings, '--sink', 'ndjson', '--out', out], {
      LOG_FORMAT: 'human',
    });
    expect(await replay.exited()).toBe(0);
    const replayed = new Set(
      readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
    const missing = messages.filter((m) => !replayed.has(m.value));
    expect(missing).toEqual([]);
  });
});
