import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { afterAll, beforeAll } from 'vitest';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { startTickflow, type ServiceProcess } from '../../support/service-process.ts';

/** The Nifty 50 list the simulator quotes and tickflow follows by default: the index and 50 stocks. */
export const NIFTY_TOKENS = 51;

export interface Instance {
  readonly name: string;
  readonly process: ServiceProcess;
  readonly metricsUrl: string;
}

/** What the cluster's instances share; each start adds its own DATA_DIR and METRICS_PORT. */
export interface ClusterBed {
  readonly instances: readonly Instance[];
  start(name: string, extra?: Readonly<Record<string, string>>): Promise<Instance>;
  /** The tail of every instance's output, for a failing assertion's message. */
  outputs(): string;
  /** SIGTERM to whatever still runs, SIGKILL after 20 s; resolves when all have exited. */
  stopAll(): Promise<void>;
}

/** `tickflow live` processes in one new cluster group on one new shard topic (unique names per bed). */
export const clusterBed = (
  sim: RunningSimulator,
  servers: { readonly kafkaBroker: string; readonly redisUrl: string },
  sessionTimeoutMs: number,
): ClusterBed => {
  const id = randomUUID().slice(0, 8);
  const instances: Instance[] = [];
  return {
    instances,
    start: async (name, extra = {}) => {
      const port = await freePort();
      const instance = {
        name,
        process: startTickflow(['live'], {
          ...simulatorEnv(sim),
          KAFKA_BROKER: servers.kafkaBroker,
          REDIS_URL: servers.redisUrl,
          TICK_TOPIC: `cluster-ticks-${id}`,
          KAFKA_TOPIC_PARTITIONS: '3',
          CLUSTER_GROUP: `tickflow-cluster-${id}`,
          CLUSTER_TOPIC: `tickflow-shards-${id}`,
          CLUSTER_SESSION_TIMEOUT_MS: String(sessionTimeoutMs),
          BACKFILL_ON_START: 'never',
          METRICS_HOST: '127.0.0.1',
          METRICS_PORT: String(port),
          DATA_DIR: mkdtempSync(join(tmpdir(), `tickflow-cluster-${name}-`)),
          LOG_FORMAT: 'human',
          ...extra,
        }),
        metricsUrl: `http://127.0.0.1:${port}`,
      };
      instances.push(instance);
      return instance;
    },
    outputs: () => instances.map((i) => `--- ${i.name}\n${i.process.output().slice(-2000)}`).join('\n'),
    stopAll: async () => {
      for (const i of instances) if (i.process.child.exitCode === null) i.process.child.kill('SIGTERM');
      await Promise.all(
        instances.map(async (i) => {
          const timer = setTimeout(() => i.process.child.kill('SIGKILL'), 20_000);
          await i.process.exited();
          clearTimeout(timer);
        }),
      );
    },
  };
};

/** The simulator's view of who follows what: an open connection and its tokens. */
export interface OpenConnection {
  readonly id: string;
  readonly tokens: readonly number[];
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null;

/** Reads `connections` (issue 16's view) where the simulator has it, else the older `clients`. */
export const openConnections = async (sim: RunningSimulator): Promise<OpenConnection[]> => {
  const stats: unknown = await (await fetch(`${sim.url}/sim/stats`)).json();
  if (!isRecord(stats)) throw new Error('GET /sim/stats: not an object');
  const connections = stats['connections'];
  if (Array.isArray(connections))
    return connections
      .filter(isRecord)
      .flatMap((c) =>
        c['open'] === true && Array.isArray(c['tokens'])
          ? [{ id: String(c['id']), tokens: c['tokens'].map(Number) }]
          : [],
      );
  const clients = stats['clients'];
  if (!Array.isArray(clients)) throw new Error('GET /sim/stats: neither connections nor clients');
  return clients
    .filter(isRecord)
    .flatMap((c) =>
      c['closedAt'] === null && Array.isArray(c['subscribed'])
        ? [{ id: String(c['id']), tokens: c['subscribed'].map(Number) }]
        : [],
    );
};

/** How many open connections each token is subscribed on. */
export const followers = (connections: readonly OpenConnection[]): Map<number, number> => {
  const n = new Map<number, number>();
  for (const c of connections) for (const t of c.tokens) n.set(t, (n.get(t) ?? 0) + 1);
  return n;
};

export const everyTokenOnce = (connections: readonly OpenConnection[]): boolean => {
  const n = followers(connections);
  return n.size === NIFTY_TOKENS && [...n.values()].every((k) => k === 1);
};

/** A gauge's value on an instance's /metrics; undefined when it does not answer. */
export const gauge = async (instance: Instance, name: string): Promise<number | undefined> => {
  const body = await (await fetch(`${instance.metricsUrl}/metrics`).catch(() => undefined))?.text();
  const m = body === undefined ? null : new RegExp(`^${name} (\\d+)`, 'm').exec(body);
  return m === null ? undefined : Number(m[1]);
};

export const ownedSum = async (instances: readonly Instance[]): Promise<number> => {
  let sum = 0;
  for (const i of instances) sum += (await gauge(i, 'cluster_instruments_owned')) ?? 0;
  return sum;
};

/** Every instance owns a share: the group has all of them (one alone would also own all 51). */
export const allHoldShards = async (instances: readonly Instance[]): Promise<boolean> => {
  for (const i of instances) if (((await gauge(i, 'cluster_shards_owned')) ?? 0) === 0) return false;
  return true;
};

/** Every instance holds shards, every instrument is on exactly one socket, and the owned gauges sum to 51. */
export const sharedByAll = async (sim: RunningSimulator, instances: readonly Instance[]): Promise<boolean> =>
  (await allHoldShards(instances)) &&
  everyTokenOnce(await openConnections(sim)) &&
  (await ownedSum(instances)) === NIFTY_TOKENS;

/** Polls `check` every 250 ms until it holds; false when `deadline` (epoch ms) passes first. */
export const eventually = async (check: () => Promise<boolean>, deadline: number): Promise<boolean> => {
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
};

/**
 * A simulator for the tests of the enclosing `describe`, started before them and closed after,
 * quoting no live ticks (a tick topic then holds what a backfill published only), with the broker
 * limit on historical requests given. Returns the running simulator's getter.
 */
export const quietSimulator = (historicalRatePerSecond: number): (() => RunningSimulator) => {
  let sim: RunningSimulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, rate: 0, historicalRatePerSecond });
  });
  afterAll(() => sim?.close());
  return () => {
    if (sim === undefined) throw new Error('the simulator did not start');
    return sim;
  };
};
