import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalKafka } from './local-kafka.ts';
import { startLocalRedis } from './local-redis.ts';
import { isProcessAlive } from '../../adapters/system/process-alive.ts';

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

const BED_PREFIX = 'tickflow-bed-';
/** In each bed's folder: the pid of the process that made it, so a later bed can tell it is left over. */
const OWNER_FILE = 'owner.pid';

/** Bed folders this process made and has not removed yet. */
const ownFolders = new Set<string>();
// However this process ends (an error, process.exit), its beds' folders go with it.
process.on('exit', () => {
  for (const dir of ownFolders) rmSync(dir, { recursive: true, force: true });
});

/** Removes the folders of beds whose process died without cleaning up (a SIGKILL). */
const sweepLeftOverBeds = (): void => {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(BED_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8').trim());
    } catch {
      continue; // no owner file: not ours to judge (an older bed, or one being made)
    }
    if (Number.isSafeInteger(owner) && owner > 0 && !isProcessAlive(owner))
      rmSync(dir, { recursive: true, force: true });
  }
};

const stopAll = async (stops: readonly (() => Promise<void>)[], dir: string): Promise<void> => {
  await Promise.allSettled(stops.map((s) => s()));
  rmSync(dir, { recursive: true, force: true });
  ownFolders.delete(dir);
};

/**
 * Addresses in KAFKA_BROKER / REDIS_URL win; else containers when a Docker engine answers (and
 * TICKFLOW_INFRA is not `local`); else local processes: Kafka from Maven jars, Redis from
 * `redis-server`. Everything started here is stopped by `stop`, and by a failed or aborted start
 * (`signal`, e.g. a Ctrl-C while it starts); the local servers also end when this process does.
 */
export const startTestBed = async (
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): Promise<TestBed> => {
  const mode = env['TICKFLOW_INFRA'] ?? 'auto';
  const useDocker = mode === 'docker' || (mode === 'auto' && (await dockerAnswers()));
  // Loaded only when used: testcontainers is a development dependency.
  const docker = useDocker ? await import('./docker-servers.ts') : undefined;
  sweepLeftOverBeds();
  signal?.throwIfAborted();
  const dir = mkdtempSync(join(tmpdir(), BED_PREFIX));
  ownFolders.add(dir);
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  const stops: (() => Promise<void>)[] = [];
  const abortable = signal === undefined ? {} : { signal };
  const givenKafka = env['KAFKA_BROKER'];
  const givenRedis = env['REDIS_URL'];
  // Settled both: a failed one must not leave the other running unseen.
  const [kafka, redis] = await Promise.allSettled([
    givenKafka !== undefined && givenKafka !== ''
      ? Promise.resolve({ broker: givenKafka, origin: 'env' as const })
      : (docker
          ? docker.startDockerKafka()
          : startLocalKafka({ dir: join(dir, 'kafka'), ...abortable })
        ).then((k) => {
          stops.push(() => k.stop());
          return { broker: k.broker, origin: useDocker ? ('docker' as const) : ('local' as const) };
        }),
    givenRedis !== undefined && givenRedis !== ''
      ? Promise.resolve({ url: givenRedis, origin: 'env' as const })
      : (docker
          ? docker.startDockerRedis()
          : startLocalRedis({ dir: join(dir, 'redis'), ...abortable })
        ).then((r) => {
          stops.push(() => r.stop());
          return { url: r.url, origin: useDocker ? ('docker' as const) : ('local' as const) };
        }),
  ]);
  if (kafka.status === 'rejected' || redis.status === 'rejected' || signal?.aborted === true) {
    await stopAll(stops, dir);
    signal?.throwIfAborted();
    throw kafka.status === 'rejected' ? kafka.reason : redis.status === 'rejected' ? redis.reason : undefined;
  }
  return {
    kafkaBroker: kafka.value.broker,
    redisUrl: redis.value.url,
    origin: { kafka: kafka.value.origin, redis: redis.value.origin },
    stop: () => stopAll(stops, dir),
  };
};
