import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServerProcess } from './child-process-server.ts';
import { freePort, waitUntil } from './free-port.ts';

const run = promisify(execFile);

export interface LocalRedis {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  readonly pid: () => number | undefined;
}

const redisAnswers = async (port: number): Promise<boolean> => {
  try {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'PING'], {
      timeout: 2000,
    });
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
};

/** Starts `redis-server` (Debian's package) on 127.0.0.1 with no persistence, and waits for PONG. */
export const startLocalRedis = async (options: {
  readonly dir: string;
  readonly port?: number;
  readonly detached?: boolean;
  readonly extraArgs?: readonly string[];
  /** Aborting it during the start stops the server and fails the start. */
  readonly signal?: AbortSignal;
}): Promise<LocalRedis> => {
  const { signal } = options;
  signal?.throwIfAborted();
  mkdirSync(options.dir, { recursive: true });
  const port = options.port ?? (await freePort());
  let stop: (() => Promise<void>) | undefined;
  let pid: number | undefined;
  const start = async (): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      options.dir,
      ...(options.extraArgs ?? []),
    ];
    let server;
    try {
      server = startServerProcess('redis-server', args, {
        cwd: options.dir,
        logFile: join(options.dir, 'redis.log'),
        detached: options.detached ?? false,
      });
    } catch (e) {
      throw new Error(
        `could not start redis-server (apt-get install redis-server): ${(e as Error).message}`,
        { cause: e },
      );
    }
    const started = server;
    stop = () => started.stop();
    pid = started.pid;
    const onAbort = (): void => void started.stop(0);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await waitUntil(
        `Redis on 127.0.0.1:${port}`,
        async () => {
          signal?.throwIfAborted();
          if (started.exited()) throw new Error(`redis-server exited at start; see ${started.logFile}`);
          return redisAnswers(port);
        },
        20_000,
      );
    } catch (e) {
      await started.stop(0);
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop: async () => stop?.(), pid: () => pid };
};
