import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { freePort, portOpen } from '../../../src/dev/infra/free-port.ts';
import { buildPackAndInstall, runToEnd, type InstalledPackage } from './installed-package.ts';
import { pollTicks, readTicks, type TickValue } from './published-ticks.ts';
import {
  pathWithThisNode,
  startUserProcess,
  stopAllUserProcesses,
  type UserProcess,
} from './user-process.ts';

/*
 * Issue 13's "done when": tickflow as a user runs it. The package is built, packed and installed
 * into an empty folder; every command runs from there with the installed bin and the default
 * settings (DATA_DIR is the relative `.tickflow`), given only what points it at the simulator and
 * at the test bed's Kafka and Redis. The steps run in order and share the user's folder.
 */

const TOPIC = 'market_ticks'; // TICK_TOPIC's default
const COMMAND_CHANNEL = 'system:commands'; // REDIS_COMMAND_CHANNEL's default

/** What a user's shell has: PATH (with Node 24) and HOME (npm's cache; the local Kafka's jars). */
const shellEnv = (): Record<string, string> => ({
  PATH: pathWithThisNode(),
  HOME: process.env['HOME'] ?? '',
});

const countBy = (ticks: readonly TickValue[], source: string): number =>
  ticks.filter((tick) => tick.source === source).length;

/** One JSON log line (LOG_FORMAT auto is JSON when stdout is not a terminal) with this `msg`. */
const logFields = (output: string, msg: string): Record<string, unknown> | undefined => {
  for (const line of output.split('\n')) {
    if (!line.includes(`"msg":${JSON.stringify(msg)}`)) continue;
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  }
  return undefined;
};

const metricValue = (body: string, name: string): number | undefined => {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(body);
  return m === null ? undefined : Number(m[1]);
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the packed package, installed in an empty folder, run as a user runs it', () => {
  let installed: InstalledPackage | undefined;
  let simulator: { url: string; wsUrl: string } | undefined;
  let live: UserProcess | undefined;
  let metricsUrl = '';
  let liveTicksBefore = 0;

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not there: an earlier step failed (see it)`);
    return value;
  };
  const userDir = (): string => need(installed, 'the installed package').dir;
  const tickflow = (name: string, args: readonly string[], env: Record<string, string>): UserProcess =>
    startUserProcess(name, need(installed, 'the installed package').bin, args, {
      cwd: userDir(),
      env: { ...shellEnv(), ...env },
    });
  const mstockEnv = (): Record<string, string> => simulatorEnv(need(simulator, 'the simulator'));

  beforeAll(async () => {
    installed = await buildPackAndInstall();
  }, 420_000);

  afterAll(async () => {
    await stopAllUserProcesses();
    if (installed !== undefined) {
      rmSync(installed.dir, { recursive: true, force: true });
      rmSync(dirname(installed.tarball), { recursive: true, force: true });
    }
  }, 60_000);

  it('the installed bin starts: tickflow --help', async () => {
    const help = await runToEnd(
      need(installed, 'the installed package').bin,
      ['--help'],
      userDir(),
      shellEnv(),
    );
    expect(help).toMatch(/\bsimulate\b/);
    expect(help).toMatch(/\blive\b/);
  });

  it('npx tickflow simulate --always-open serves the m.Stock simulator', async () => {
    const port = await freePort();
    const sim = startUserProcess(
      'npx tickflow simulate',
      'npx',
      ['tickflow', 'simulate', '--port', String(port), '--always-open'],
      {
        cwd: userDir(),
        env: shellEnv(),
      },
    );
    const listening = await sim.waitForLine(/simulator listening: REST \S+, WebSocket \S+/, 60_000);
    const urls = /REST (\S+), WebSocket (\S+)/.exec(listening);
    const url = urls?.[1]?.replace(/,$/, '') ?? '';
    const wsUrl = urls?.[2] ?? '';
    expect(url, sim.output()).toBe(`http://127.0.0.1:${port}`);
    expect(wsUrl, sim.output()).toBe(`ws://127.0.0.1:${port}`);
    const stats = await fetch(`${url}/sim/stats`);
    expect(stats.status, sim.output()).toBe(200);
    simulator = { url, wsUrl };
  });

  it('tickflow live connects to the simulator and publishes ticks to Kafka', async () => {
    const broker = inject('kafkaBroker');
    liveTicksBefore = countBy(await readTicks(broker, TOPIC).catch(() => []), 'live');
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}`;
    live = tickflow('tickflow live', ['live'], {
      ...mstockEnv(),
      KAFKA_BROKER: broker,
      REDIS_URL: inject('redisUrl'),
      METRICS_PORT: String(metricsPort),
      // One trading day, so the backfill below takes about a minute (at 1 request/s).
      BACKFILL_DAYS: '1',
      // No backfill at start: whether one would run depends on the hour (market open or closed),
      // and it would make the operator's START_BACKFILL below a "busy" no-op.
      BACKFILL_ON_START: 'never',
    });
    await live.waitForLine(/Connected to MStock WebSocket/, 90_000);
    const ticks = await pollTicks(broker, TOPIC, (t) => countBy(t, 'live') > liveTicksBefore, 60_000);
    expect(
      countBy(ticks, 'live'),
      `no live tick reached ${TOPIC}; live printed:\n${live.output().slice(-4000)}`,
    ).toBeGreaterThan(liveTicksBefore);
  }, 180_000);

  it('a one-day START_BACKFILL on system:commands reaches batch_job_status 2', async () => {
    // Every wait below ends by this, so a hang fails with the service's output, not a bare timeout.
    const giveUpAt = Date.now() + 200_000;
    const left = (ms: number): number => Math.max(1000, Math.min(ms, giveUpAt - Date.now()));
    const service = need(live, 'tickflow live');
    expect(service.running(), `live is not running; it printed:\n${service.output().slice(-4000)}`).toBe(
      true,
    );
    const broker = inject('kafkaBroker');
    const backfillTicksBefore = countBy(await readTicks(broker, TOPIC), 'backfill');
    const id = `packed-${randomUUID().slice(0, 8)}`;
    const redis = new Redis(inject('redisUrl'), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const command = JSON.stringify({ command: 'START_BACKFILL', days: 1, id });
      // The service subscribes as it starts; publish until it listens.
      const deadline = Date.now() + left(30_000);
      let listeners = 0;
      while (
        (listeners = await redis.publish(COMMAND_CHANNEL, command)) === 0 &&
        Date.now() < deadline &&
        service.running()
      )
        await sleep(500);
      expect(
        listeners,
        `nobody listens on ${COMMAND_CHANNEL}; live printed:\n${service.output().slice(-4000)}`,
      ).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
    await service.waitForLine(new RegExp(`"msg":"Command received".*"id":"${id}"`), left(15_000));
    await service.waitForLine(/"msg":"Backfill plan started"/, left(30_000));

    let status: number | undefined;
    while (Date.now() < giveUpAt && service.running()) {
      const metrics = await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
      status = metricValue(await metrics.text(), 'batch_job_status');
      if (status === 2 || status === 3) break;
      await sleep(1000);
    }
    expect(
      status,
      `batch_job_status (1 running, 2 succeeded, 3 failed); live printed:\n${service.output().slice(-6000)}`,
    ).toBe(2);
    expect(logFields(service.output(), 'Backfill job finished'), service.output().slice(-4000)).toMatchObject(
      {
        status: 'succeeded',
      },
    );
    const ticks = await pollTicks(
      broker,
      TOPIC,
      (t) => countBy(t, 'backfill') > backfillTicksBefore,
      left(30_000),
    );
    expect(countBy(ticks, 'backfill'), 'backfill bars on the tick topic').toBeGreaterThan(
      backfillTicksBefore,
    );
  }, 260_000);

  it('SIGTERM stops tickflow live with exit code 0', async () => {
    const service = need(live, 'tickflow live');
    expect(service.running(), `live is not running; it printed:\n${service.output().slice(-4000)}`).toBe(
      true,
    );
    service.child.kill('SIGTERM');
    const code = await service.exitCode(60_000);
    expect(code, `exit code after SIGTERM; live printed:\n${service.output().slice(-4000)}`).toBe(0);
  }, 90_000);

  it('tickflow record for a few seconds, then tickflow replay prints what it recorded', async () => {
    const record = tickflow('tickflow record', ['record', '--duration', '5'], mstockEnv());
    expect(await record.exitCode(60_000), `record's exit code; it printed:\n${record.output()}`).toBe(0);
    const recorded = logFields(record.output(), 'Recording finished');
    const recordedTicks = Number(recorded?.['ticks']);
    expect(recordedTicks, `ticks recorded; record printed:\n${record.output()}`).toBeGreaterThan(0);

    // The default folder, relative to where the user stands: DATA_DIR/recordings = .tickflow/recordings.
    const replay = tickflow('tickflow replay', ['replay', '.tickflow/recordings', '--sink', 'stdout'], {});
    expect(
      await replay.exitCode(60_000),
      `replay's exit code; it printed:\n${replay.output().slice(-4000)}`,
    ).toBe(0);
    const summary =
      /Replay finished: \d+ file\(s\), \d+ frames, (\d+) ticks; (\d+) accepted by stdout, 0 refused, (\d+) quarantined/.exec(
        replay.output(),
      );
    expect(summary, `replay's summary line; it printed:\n${replay.output().slice(-4000)}`).not.toBeNull();
    const [replayedTicks, accepted, quarantined] = [summary?.[1], summary?.[2], summary?.[3]].map(Number);
    expect(replayedTicks, 'every recorded tick is replayed').toBe(recordedTicks);
    expect(accepted).toBeGreaterThan(0);
    expect((accepted ?? 0) + (quarantined ?? 0)).toBe(recordedTicks);
    const printed = replay
      .stdout()
      .split('\n')
      .filter((l) => l !== '');
    for (const line of printed.slice(0, 20)) expect(line).toMatch(/^\{"token":"\d+","ltp":/);
    expect(printed.length, 'NDJSON ticks on stdout').toBe(accepted);
  }, 150_000);

  it('tickflow demo --duration 20 starts its own Kafka and Redis, acknowledges ticks, exits 0 and stops them', async () => {
    // No KAFKA_BROKER / REDIS_URL, as a first-time user: the demo starts (and must stop) its own.
    const demo = tickflow('tickflow demo', ['demo', '--duration', '20'], {
      METRICS_PORT: String(await freePort()),
    });
    const code = await demo.exitCode(240_000);
    expect(code, `demo's exit code; it printed:\n${demo.output().slice(-4000)}`).toBe(0);
    const finished = /Demo finished: (\d+) ticks received, (\d+) acknowledged by Kafka/.exec(demo.output());
    expect(
      finished,
      `demo's "Demo finished" line; it printed:\n${demo.output().slice(-4000)}`,
    ).not.toBeNull();
    expect(Number(finished?.[2])).toBeGreaterThan(0);

    const servers = /Kafka (\S+):(\d+) \(\w+\), Redis redis:\/\/(\S+):(\d+) \(\w+\)/.exec(demo.output());
    expect(
      servers,
      `the line naming the demo's Kafka and Redis; it printed:\n${demo.output().slice(-4000)}`,
    ).not.toBeNull();
    const [, kafkaHost = '', kafkaPort, redisHost = '', redisPort] = servers ?? [];
    expect(
      await portOpen(kafkaHost, Number(kafkaPort)),
      "the demo's Kafka still listens after it exited",
    ).toBe(false);
    expect(
      await portOpen(redisHost, Number(redisPort)),
      "the demo's Redis still listens after it exited",
    ).toBe(false);
  }, 300_000);
});
