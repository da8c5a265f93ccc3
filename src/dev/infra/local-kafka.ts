import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { packageRoot } from '../../adapters/system/package-root.ts';
import { cacheDir } from './cache-dir.ts';
import { startServerProcess, type ServerProcess } from './child-process-server.ts';
import { freePort, waitUntil } from './free-port.ts';

const run = promisify(execFile);

/** The broker version the test bed runs; infra/kafka/pom.xml resolves its jars. */
export const KAFKA_VERSION = '4.3.1';

/** Fetches the broker's jars from Maven Central into the cache once; later calls reuse them. */
export const ensureKafkaJars = async (): Promise<string> => {
  const libs = join(cacheDir(), `kafka-${KAFKA_VERSION}`, 'libs');
  if (existsSync(libs) && readdirSync(libs).some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`)))
    return libs;
  mkdirSync(libs, { recursive: true });
  const pom = join(packageRoot(), 'infra', 'kafka', 'pom.xml');
  try {
    await run(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        pom,
        `-Dkafka.version=${KAFKA_VERSION}`,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${libs}`,
        '-DincludeScope=runtime',
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (e) {
    throw new Error(
      `could not fetch the Kafka ${KAFKA_VERSION} jars with mvn (is Maven installed?): ${(e as Error).message}`,
      { cause: e },
    );
  }
  return libs;
};

export interface LocalKafka {
  /** host:port of the PLAINTEXT listener. */
  readonly broker: string;
  readonly dataDir: string;
  /** Stops the broker; its data and ports are kept, so `start` brings the same cluster back. */
  stop(): Promise<void>;
  /** Kills the broker at once, as a crash would. */
  kill(): Promise<void>;
  start(): Promise<void>;
  readonly pid: () => number | undefined;
}

export interface LocalKafkaOptions {
  /** Folder for the broker's data and log; created when missing. */
  readonly dir: string;
  readonly port?: number;
  readonly detached?: boolean;
  readonly heapMb?: number;
  /** Aborting it during the start stops the broker and fails the start. */
  readonly signal?: AbortSignal;
}

const serverProperties = (dataDir: string, port: number, controllerPort: number): string =>
  [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');

/** True once the broker answers a metadata request. */
export const kafkaAnswers = async (broker: string): Promise<boolean> => {
  const admin = new Kafka({
    clientId: 'tickflow-infra',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
};

/** Starts a single-node KRaft broker from the Maven jars, on 127.0.0.1, and waits until it answers. */
export const startLocalKafka = async (options: LocalKafkaOptions): Promise<LocalKafka> => {
  const { signal } = options;
  const libs = await ensureKafkaJars();
  signal?.throwIfAborted();
  const port = options.port ?? (await freePort());
  const controllerPort = await freePort();
  const dataDir = join(options.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const config = join(options.dir, 'server.properties');
  writeFileSync(config, serverProperties(dataDir, port, controllerPort));
  const classpath = `${libs}/*`;
  // A leading '-' would make StorageTool read the id as an option; any other first letter is as valid.
  const clusterId = randomBytes(16).toString('base64url').replace(/^-/, 'A');
  await run('java', [
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    config,
    '--standalone',
  ]);
  const broker = `127.0.0.1:${port}`;
  let server: ServerProcess | undefined;
  const start = async (): Promise<void> => {
    const heap = `-Xmx${options.heapMb ?? 768}m`;
    server = startServerProcess('java', [heap, '-Xms256m', '-cp', classpath, 'kafka.Kafka', config], {
      cwd: options.dir,
      logFile: join(options.dir, 'kafka.log'),
      detached: options.detached ?? false,
    });
    const started = server;
    const onAbort = (): void => void started.stop(0);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await waitUntil(
        `Kafka on ${broker} (log: ${started.logFile})`,
        async () => {
          signal?.throwIfAborted();
          if (started.exited()) throw new Error(`Kafka exited at start; see ${started.logFile}`);
          return kafkaAnswers(broker);
        },
        60_000,
      );
    } catch (e) {
      await started.stop(0);
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
  await start();
  return {
    broker,
    dataDir,
    pid: () => server?.pid,
    start,
    stop: async () => server?.stop(),
    kill: async () => server?.stop(0),
  };
};
