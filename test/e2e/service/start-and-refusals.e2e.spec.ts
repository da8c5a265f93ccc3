import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { API_KEY_TRIES } from '../../../src/adapters/mstock/mstock-broker-feed.ts';
import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { startTickflow, type ServiceProcess } from '../../support/service-process.ts';

const A_STACK_FRAME = /^\s+at /m;

const stopped = async (service: ServiceProcess): Promise<void> => {
  service.child.kill('SIGKILL');
  await service.exited();
};

describe('tickflow live: how it starts, and how it refuses to', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, rate: 200, alwaysOpen: true });
  });
  afterAll(async () => sim.close());

  const baseEnv = async (): Promise<Record<string, string>> => ({
    ...simulatorEnv(sim),
    KAFKA_BROKER: inject('kafkaBroker'),
    REDIS_URL: inject('redisUrl'),
    METRICS_PORT: String(await freePort()),
    METRICS_HOST: '127.0.0.1',
    LOG_FORMAT: 'human',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-start-')),
    BACKFILL_ON_START: 'never',
  });

  it('gives up on an API key the broker refuses after a bounded number of logins, naming the key but not its value, and exits 1', async () => {
    const wrongKey = 'wrong-key-4f9d2c';
    const before = sim.stats().rest.counts['connect/login'] ?? 0;
    const service = startTickflow(['live'], { ...(await baseEnv()), MSTOCK_API_KEY: wrongKey });
    try {
      expect(await service.exited()).toBe(1);
    } finally {
      await stopped(service);
    }
    const logins = (sim.stats().rest.counts['connect/login'] ?? 0) - before;
    expect(logins).toBe(API_KEY_TRIES);
    expect(service.output()).toMatch(/rejected the API key \(MSTOCK_API_KEY\)/);
    expect(service.output()).not.toMatch(/session has expired/);
    expect(service.output()).not.toContain(wrongKey);
  });

  it('refuses a second service on the same DATA_DIR before connecting to anything, naming the holder; takes over a stale lock', async () => {
    const env = await baseEnv();
    const first = startTickflow(['live'], env);
    try {
      await first.waitForLine(/^\[INFO\] Connected to MStock WebSocket\b/, 60_000);
      const firstPid = first.child.pid ?? 0;
      const second = startTickflow(['live'], {
        ...env,
        METRICS_PORT: String(await freePort()),
        // Unreachable: had it tried Kafka, it would wait a minute before failing.
        KAFKA_BROKER: `127.0.0.1:${await freePort()}`,
        KAFKA_STARTUP_TIMEOUT_MS: '60000',
      });
      try {
        expect(await second.exited()).toBe(1);
      } finally {
        await stopped(second);
      }
      const lines = second.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^\\[ERROR\\] DATA_DIR .+ is in use by another tickflow \\(pid ${firstPid}\\)`),
      );
      // The first is unharmed and stops cleanly, releasing the folder.
      first.child.kill('SIGTERM');
      expect(await first.exited()).toBe(0);
      expect(existsSync(join(env['DATA_DIR'] ?? '', 'service.lock'))).toBe(false);
    } finally {
      await stopped(first);
    }
    // A lock left by a process that is gone (a SIGKILL) does not stop the next start.
    writeFileSync(join(env['DATA_DIR'] ?? '', 'service.lock'), String(first.child.pid ?? 0));
    const next = startTickflow(['live'], env);
    try {
      await next.waitForLine(/^\[INFO\] Connected to MStock WebSocket\b/, 60_000);
      next.child.kill('SIGTERM');
      expect(await next.exited()).toBe(0);
    } finally {
      await stopped(next);
    }
  });

  describe('a telemetry port that cannot be had', () => {
    let holder: Server;
    let busyPort: number;
    beforeAll(async () => {
      holder = createServer();
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      const address = holder.address();
      busyPort = typeof address === 'object' && address !== null ? address.port : 0;
    });
    afterAll(async () => new Promise<void>((resolve) => holder.close(() => resolve())));

    it.each([
      [
        'a busy METRICS_PORT',
        () => ({ METRICS_PORT: String(busyPort) }),
        /^\[ERROR\] METRICS_PORT: port \d+ on 127\.0\.0\.1 is already in use/,
      ],
      [
        'an unknown METRICS_HOST',
        () => ({ METRICS_HOST: 'no-such-host.invalid' }),
        /^\[ERROR\] METRICS_HOST: cannot resolve "no-such-host\.invalid"/,
      ],
    ])(
      '%s: one line naming the setting, no stack trace, exit 1, before trying Kafka',
      async (_what, setting, expected) => {
        const service = startTickflow(['live'], {
          ...(await baseEnv()),
          ...setting(),
          KAFKA_BROKER: `127.0.0.1:${await freePort()}`,
          KAFKA_STARTUP_TIMEOUT_MS: '120000',
        });
        try {
          // Well inside the two minutes it would have waited for the unreachable Kafka.
          expect(await service.exited()).toBe(1);
        } finally {
          await stopped(service);
        }
        const lines = service.output().trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(expected);
        expect(service.output()).not.toMatch(A_STACK_FRAME);
        expect(service.output()).not.toMatch(/Kafka/);
      },
    );
  });

  it.each(['kafkajs', 'platformatic'])(
    'with %s and KAFKA_REQUIRED_AT_START=true, says it waits for an unreachable Kafka, and again while it waits, then fails in one line and lets go of DATA_DIR',
    async (client) => {
      const env = await baseEnv();
      const broker = `127.0.0.1:${await freePort()}`;
      const service = startTickflow(['live'], {
        ...env,
        KAFKA_CLIENT: client,
        KAFKA_BROKER: broker,
        KAFKA_STARTUP_TIMEOUT_MS: '7000',
        // The fail-fast start; the default does not wait for Kafka (kafka-late.e2e.spec.ts).
        KAFKA_REQUIRED_AT_START: 'true',
      });
      try {
        await service.waitForLine(new RegExp(`Waiting for Kafka at ${broker} \\(up to 7 s\\)`), 20_000);
        await service.waitForLine(new RegExp(`Still waiting for Kafka at ${broker}`), 20_000);
        expect(await service.exited()).toBe(1);
      } finally {
        await stopped(service);
      }
      expect(service.output()).toMatch(/KAFKA_BROKER|no Kafka broker reachable/);
      expect(service.output()).not.toMatch(A_STACK_FRAME);
      expect(existsSync(join(env['DATA_DIR'] ?? '', 'service.lock'))).toBe(false);
    },
  );
});
