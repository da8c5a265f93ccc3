import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalKafka } from './local-kafka.ts';
import { startLocalRedis } from './local-redis.ts';

const run = promisify(execFile);

/** Real Kafka and Redis for tests, the demo and benchmarks, and how to let them go. */
export interface TestBed {
  readonly kafkaBroker: string;
  readonly redisUrl: string;
  /** How each server was obtained: given by the environment, a container, or a local process. */
  readonly origin: { readonly kafka: Origin; readonly redis: Origin };
  stop(): Promise<void>;
}
export type Origin = 'env' | 'docker' | 'local';

const dockerAnswers = async (): Promise<boolean> => {
  try {
    await run('docker', ['info'], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
};

/**
 * Addresses in KAFKA_BROKER / REDIS_URL win; else containers when a Docker engine answers (and
 * TICKFLOW_INFRA is not `local`); else local processes: Kafka from Maven jars, Redis from
 * `redis-server`. Everything started here is stopped by `stop`.
 */
export const startTestBed = async (env: NodeJS.ProcessEnv = process.env): Promise<TestBed> => {
  const mode = env['TICKFLOW_INFRA'] ?? 'auto';
  const useDocker = mode === 'docker' || (mode === 'auto' && (await dockerAnswers()));
  // Loaded only when used: testcontainers is a development dependency.
  const docker = useDocker ? await import('./docker-servers.ts') : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tickflow-bed-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    const givenKafka = env['KAFKA_BROKER'];
    const givenRedis = env['REDIS_URL'];
    const [kafka, redis] = await Promise.all([
      givenKafka !== undefined && givenKafka !== ''
        ? Promise.resolve({ broker: givenKafka, origin: 'env' as const })
        : (docker ? docker.startDockerKafka() : startLocalKafka({ dir: join(dir, 'kafka') })).then((k) => {
            stops.push(() => k.stop());
            return { broker: k.broker, origin: useDocker ? ('docker' as const) : ('local' as const) };
          }),
      givenRedis !== undefined && givenRedis !== ''
        ? Promise.resolve({ url: givenRedis, origin: 'env' as const })
        : (docker ? docker.startDockerRedis() : startLocalRedis({ dir: join(dir, 'redis') })).then((r) => {
            stops.push(() => r.stop());
            return { url: r.url, origin: useDocker ? ('docker' as const) : ('local' as const) };
          }),
    ]);
    return {
      kafkaBroker: kafka.broker,
      redisUrl: redis.url,
      origin: { kafka: kafka.origin, redis: redis.origin },
      stop: async () => {
        await Promise.all(stops.map((s) => s()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await Promise.allSettled(stops.map((s) => s()));
    throw e;
  }
};
