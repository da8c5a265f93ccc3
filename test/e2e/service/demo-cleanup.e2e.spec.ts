import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, waitUntil } from '../../../src/dev/infra/free-port.ts';
import { startTickflow, type ServiceProcess } from '../../support/service-process.ts';
import { isProcessAlive } from '../../../src/adapters/system/process-alive.ts';

const KAFKA_UP = /^\[INFO\] Kafka 127\.0\.0\.1:\d+ \(local\), Redis redis:\/\/127\.0\.0\.1:\d+ \(local\)$/;

/** The processes whose parent is `pid`, with their command names (Linux /proc). */
const childrenOf = (pid: number): { pid: number; name: string }[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        // pid (comm) state ppid ...; comm may hold spaces, so split after the last ')'.
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === pid ? [{ pid: Number(d), name }] : [];
      } catch {
        return []; // it ended while we looked
      }
    });

const beds = (tmp: string): string[] => readdirSync(tmp).filter((n) => n.startsWith('tickflow-bed-'));

/** `tickflow demo` starting its own Kafka and Redis, with its temporary folders in `tmp`. */
const startDemo = async (tmp: string): Promise<ServiceProcess> =>
  startTickflow(['demo', '--duration', '60'], {
    METRICS_PORT: String(await freePort()),
    METRICS_HOST: '127.0.0.1',
    LOG_FORMAT: 'human',
    DATA_DIR: mkdtempSync(join(tmp, 'data-')),
    TICKFLOW_INFRA: 'local',
    TMPDIR: tmp,
  });

/** The Kafka JVM and redis-server the demo started, once both are up. */
const serversOf = async (demo: ServiceProcess): Promise<number[]> => {
  await demo.waitForLine(KAFKA_UP, 120_000);
  const servers = childrenOf(demo.child.pid ?? 0).filter(
    (c) => c.name === 'java' || c.name === 'redis-server',
  );
  expect(servers.map((s) => s.name).sort()).toEqual(['java', 'redis-server']);
  return servers.map((s) => s.pid);
};

describe('tickflow demo stops what it started, however it ends', () => {
  it('a SIGTERM during the start stops its Kafka and Redis and removes its bed folder', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tickflow-demo-tmp-'));
    const demo = await startDemo(tmp);
    try {
      const servers = await serversOf(demo);
      demo.child.kill('SIGTERM');
      // 130 when the signal came before the pipeline was up (the usual case), 0 just after.
      expect([0, 130]).toContain(await demo.exited());
      expect(servers.filter(isProcessAlive)).toEqual([]);
      expect(beds(tmp)).toEqual([]);
    } finally {
      demo.child.kill('SIGKILL');
    }
  });

  it('a SIGTERM while Kafka is still starting stops what had started', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tickflow-demo-tmp-'));
    const demo = await startDemo(tmp);
    try {
      await demo.waitForLine(/Starting Kafka and Redis/, 30_000);
      let servers: number[] = [];
      await waitUntil(
        'the demo to start its Kafka JVM',
        () => {
          servers = childrenOf(demo.child.pid ?? 0)
            .filter((c) => c.name === 'java' || c.name === 'redis-server')
            .map((c) => c.pid);
          return Promise.resolve(servers.length > 0);
        },
        60_000,
      );
      demo.child.kill('SIGTERM');
      expect(await demo.exited()).not.toBe(0);
      expect(demo.output()).not.toMatch(KAFKA_UP);
      expect(servers.filter(isProcessAlive)).toEqual([]);
      expect(beds(tmp)).toEqual([]);
    } finally {
      demo.child.kill('SIGKILL');
    }
  });

  it('a SIGKILLed demo takes its servers with it, and the next demo removes the folder it left', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tickflow-demo-tmp-'));
    const killed = await startDemo(tmp);
    let servers: number[];
    try {
      servers = await serversOf(killed);
    } finally {
      killed.child.kill('SIGKILL');
    }
    await killed.exited();
    // The kernel sends them SIGTERM when their parent dies; Kafka takes a few seconds to stop.
    await waitUntil(
      'the orphaned servers to stop',
      () => Promise.resolve(servers.filter(isProcessAlive).length === 0),
      30_000,
    );
    expect(beds(tmp)).toHaveLength(1);

    const next = await startDemo(tmp);
    try {
      await next.waitForLine(KAFKA_UP, 120_000);
      expect(beds(tmp)).toHaveLength(1); // its own; the dead one's is gone
      next.child.kill('SIGTERM');
      await next.exited();
      expect(beds(tmp)).toEqual([]);
    } finally {
      next.child.kill('SIGKILL');
    }
  });
});
