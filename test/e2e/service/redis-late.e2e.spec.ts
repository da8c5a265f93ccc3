import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { startLocalRedis, type LocalRedis } from '../../../src/dev/infra/local-redis.ts';
import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { startTickflow } from '../../support/service-process.ts';

describe('tickflow live with Redis down at start', () => {
  let sim: RunningSimulator;
  let redis: LocalRedis | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, rate: 500, alwaysOpen: true });
  });
  afterAll(async () => {
    await redis?.stop();
    await sim.close();
  });

  it('the feed flows at once; the backfill listens for commands when Redis comes up, and takes START_BACKFILL', async () => {
    const redisPort = await freePort();
    const metricsPort = await freePort();
    const channel = `commands-${randomUUID().slice(0, 8)}`;
    const service = startTickflow(['live'], {
      ...simulatorEnv(sim),
      KAFKA_BROKER: inject('kafkaBroker'),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_COMMAND_CHANNEL: channel,
      TICK_TOPIC: `ticks-${randomUUID().slice(0, 8)}`,
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'human',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-redis-late-')),
      BACKFILL_ON_START: 'never',
      BACKFILL_DAYS: '1',
      INSTRUMENTS: '2885',
    });
    try {
      await service.waitForLine(/Not listening for commands \(START_BACKFILL\) yet; retrying/, 60_000);
      await service.waitForLine(/^\[INFO\] Connected to MStock WebSocket\b/, 30_000);
      // Ticks reach Kafka while Redis is still down.
      const accepted = async (): Promise<number> => {
        const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        return Number(/^ticks_accepted_total (\d+)/m.exec(body)?.[1] ?? 0);
      };
      const deadline = Date.now() + 20_000;
      while ((await accepted()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await accepted()).toBeGreaterThan(0);
      expect(service.output()).not.toMatch(/Subscribed to Redis command channel/);

      redis = await startLocalRedis({
        dir: mkdtempSync(join(tmpdir(), 'tickflow-redis-late-srv-')),
        port: redisPort,
      });
      await service.waitForLine(/Subscribed to Redis command channel/, 30_000);
      const client = new Redis(redis.url);
      try {
        expect(await client.publish(channel, 'START_BACKFILL')).toBe(1);
      } finally {
        client.disconnect();
      }
      await service.waitForLine(/Backfill job finished .*status=succeeded/, 60_000);
      service.child.kill('SIGTERM');
      expect(await service.exited()).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
    }
    // The feed never waited for Redis: ticks were taken before the commands could arrive.
    const out = service.output();
    expect(out.indexOf('Connected to MStock WebSocket')).toBeLessThan(
      out.indexOf('Subscribed to Redis command channel'),
    );
  });
});
