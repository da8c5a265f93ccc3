import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { freePort, sleep } from '../../../src/dev/infra/free-port.ts';
import { startLocalKafka, type LocalKafka } from '../../../src/dev/infra/local-kafka.ts';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { readTopicWithKcat } from '../../support/kcat.ts';
import { startTickflow } from '../../support/service-process.ts';

const metric = (body: string, name: string): number =>
  Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(body)?.[1] ?? Number.NaN);

describe('tickflow live with no Kafka at start', () => {
  let sim: RunningSimulator;
  let kafka: LocalKafka | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, rate: 500, alwaysOpen: true });
  });
  afterAll(async () => {
    await kafka?.stop();
    await sim.close();
  });

  it('follows the feed into its journal, says Kafka is unreachable, and drains every tick in order once a broker appears', async () => {
    const kafkaPort = await freePort();
    const metricsPort = await freePort();
    const topic = `ticks-${randomUUID().slice(0, 8)}`;
    const service = startTickflow(['live'], {
      ...simulatorEnv(sim),
      KAFKA_BROKER: `127.0.0.1:${kafkaPort}`,
      REDIS_URL: inject('redisUrl'),
      TICK_TOPIC: topic,
      KAFKA_TOPIC_PARTITIONS: '3',
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'human',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-kafka-late-')),
      BACKFILL_ON_START: 'never',
      INSTRUMENTS: '2885,26000,1594',
    });
    const base = `http://127.0.0.1:${metricsPort}`;
    const scrape = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
    try {
      await service.waitForLine(/^\[INFO\] Connected to MStock WebSocket\b/, 60_000);
      // The journal grows while nothing listens on the Kafka port.
      let body = await scrape();
      const deadline = Date.now() + 30_000;
      while (!(metric(body, 'sink_journal_bytes') > 0) && Date.now() < deadline) {
        await sleep(250);
        body = await scrape();
      }
      expect(metric(body, 'sink_journal_bytes')).toBeGreaterThan(0);
      expect(metric(body, 'kafka_connected')).toBe(0);
      expect(metric(body, 'kafka_unreachable_since_seconds')).toBeGreaterThan(0);
      expect(metric(body, 'ticks_published_total')).toBe(0);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      const checks = (await ready.json()) as Record<string, unknown>;
      expect(checks).toMatchObject({ status: 'degraded', feed: 'connected' });
      expect(checks['kafka']).toMatch(/^unreachable since \d{4}-\d\d-\d\dT/);
      await sleep(1000);
      expect(metric(await scrape(), 'sink_journal_bytes')).toBeGreaterThan(
        metric(body, 'sink_journal_bytes'),
      );

      kafka = await startLocalKafka({
        dir: mkdtempSync(join(tmpdir(), 'tickflow-kafka-late-broker-')),
        port: kafkaPort,
      });
      await service.waitForLine(/Tick journal drained: publishing straight to Kafka again/, 60_000);
      const after = await scrape();
      expect(metric(after, 'kafka_connected')).toBe(1);
      expect(metric(after, 'ticks_published_total')).toBeGreaterThan(0);
      const readyAgain = (await (await fetch(`${base}/readyz`)).json()) as Record<string, unknown>;
      expect(readyAgain).toMatchObject({ kafka: 'ok' });

      service.child.kill('SIGTERM');
      expect(await service.exited()).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
    }
    const stopped = /Ingestion stopped received=(\d+) accepted=(\d+)/.exec(service.output());
    const accepted = Number(stopped?.[2]);
    expect(accepted).toBeGreaterThan(0);
    const messages = await readTopicWithKcat(kafka.broker, topic);
    const values = messages.map((m) => JSON.parse(m.value) as { token: string; volume: number; id: string });
    // Every accepted tick reached Kafka; a repeat (a resend after a lost acknowledgement) keeps its id.
    expect(new Set(values.map((v) => v.id)).size).toBe(accepted);
    const seen = new Set<string>();
    const lastVolume = new Map<string, number>();
    for (const v of values) {
      if (seen.has(v.id)) continue;
      seen.add(v.id);
      expect(v.volume).toBeGreaterThanOrEqual(lastVolume.get(v.token) ?? 0);
      lastVolume.set(v.token, v.volume);
    }
  }, 180_000);

  it('stops with the clear error, exit 1, when Kafka first answers with a refusal', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-kafka-refused-'));
    const service = startTickflow(['live'], {
      ...simulatorEnv(sim),
      KAFKA_BROKER: inject('kafkaBroker'),
      REDIS_URL: inject('redisUrl'),
      TICK_TOPIC: `refused-${randomUUID().slice(0, 8)}`,
      // One broker cannot hold three replicas: the topic is refused for good.
      KAFKA_REPLICATION_FACTOR: '3',
      METRICS_PORT: String(await freePort()),
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'human',
      DATA_DIR: dataDir,
      BACKFILL_ON_START: 'never',
      INSTRUMENTS: '2885',
    });
    try {
      expect(await service.exited()).toBe(1);
    } finally {
      service.child.kill('SIGKILL');
    }
    expect(service.output()).toMatch(/^\[ERROR\] KAFKA_REPLICATION_FACTOR: cannot create topic/m);
  }, 120_000);
});
