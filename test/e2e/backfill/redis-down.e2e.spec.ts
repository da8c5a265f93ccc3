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
import { waitFor } from './backfill-e2e-support.ts';

/** The value of an unlabelled series on /metrics, or undefined when it is not there. */
const metricOf = (body: string, name: string): number | undefined => {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(body);
  return m?.[1] === undefined ? undefined : Number(m[1]);
};

describe('tickflow live with Redis down: backfill at start without Redis, commands once it is up', () => {
  let sim: RunningSimulator;
  let redis: LocalRedis | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, rate: 50, alwaysOpen: true });
  });
  afterAll(async () => {
    await redis?.stop();
    await sim.close();
  });

  it('BACKFILL_ON_START=always runs to status 2, /readyz says degraded and redis_connected is 0; then Redis comes up and START_BACKFILL runs', async () => {
    // Nothing listens on this port until the test starts a real redis-server on it.
    const redisPort = await freePort();
    const metricsPort = await freePort();
    const channel = `commands-${randomUUID().slice(0, 8)}`;
    const base = `http://127.0.0.1:${metricsPort}`;
    const service = startTickflow(['live'], {
      ...simulatorEnv(sim),
      KAFKA_BROKER: inject('kafkaBroker'),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_COMMAND_CHANNEL: channel,
      REDIS_TIMEOUT_MS: '1000',
      TICK_TOPIC: `ticks-${randomUUID().slice(0, 8)}`,
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'human',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-redis-down-')),
      BACKFILL_ON_START: 'always',
      BACKFILL_DAYS: '1',
      INSTRUMENTS: '2885',
    });
    const metrics = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
    try {
      await waitFor(
        'the start-up backfill to succeed with Redis down',
        async () => (metricOf(await metrics().catch(() => ''), 'batch_job_status') === 2 ? true : undefined),
        90_000,
      );
      const down = await metrics();
      expect(metricOf(down, 'redis_connected')).toBe(0);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ ready: true, status: 'degraded' });
      expect(body['redis']).toMatch(new RegExp(`^not connected to Redis at 127\\.0\\.0\\.1:${redisPort}/0`));
      expect(service.output()).toMatch(/Not listening for commands \(START_BACKFILL\) yet; retrying/);

      redis = await startLocalRedis({
        dir: mkdtempSync(join(tmpdir(), 'tickflow-redis-down-srv-')),
        port: redisPort,
      });
      await waitFor(
        'redis_connected 1',
        async () => (metricOf(await metrics(), 'redis_connected') === 1 ? true : undefined),
        30_000,
      );
      const readyAgain = (await (await fetch(`${base}/readyz`)).json()) as Record<string, unknown>;
      expect(readyAgain).toMatchObject({ ready: true, status: 'ready', redis: 'ok' });

      const client = new Redis(redis.url);
      try {
        // Connected is not yet subscribed: send until the service hears it.
        await waitFor('the service to hear START_BACKFILL', async () =>
          (await client.publish(channel, 'START_BACKFILL')) > 0 ? true : undefined,
        );
      } finally {
        client.disconnect();
      }
      await waitFor(
        'the commanded backfill to succeed',
        async () => {
          const text = await metrics();
          return /^system_commands_total\{outcome="(started|finished)"\} 1$/m.test(text) &&
            metricOf(text, 'batch_job_status') === 2
            ? true
            : undefined;
        },
        90_000,
      ).catch(async (e: unknown) => {
        // What the service said and counted, for a failure seen only on a loaded CI machine.
        const counted = (await metrics().catch(() => ''))
          .split('\n')
          .filter((l) => /^(system_commands_total|batch_job_status|redis_connected)/.test(l));
        const said = service.output().split('\n').slice(-60);
        throw new Error([String(e), ...counted, ...said].join('\n'));
      });
      service.child.kill('SIGTERM');
      expect(await service.exited()).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
    }
  }, 240_000);
});
