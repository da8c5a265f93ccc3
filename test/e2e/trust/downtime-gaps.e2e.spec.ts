import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FileEventLog } from '../../../src/adapters/event-log/file-event-log.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { GapLedgerEventC } from '../../../src/ports/event-log/streams/gap-event-codec.ts';
import { GAP_STREAM } from '../../../src/app/trust/gap-ledger-writer.ts';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { readTopicWithKcat } from '../../support/kcat.ts';
import { expectTopicMatchesSchema } from '../../support/topic-schema-check.ts';
import { startTickflow, type ServiceProcess } from '../../support/service-process.ts';

const INSTRUMENTS = 51;

const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

interface CheckpointFile {
  readonly stoppedCleanly: boolean;
  readonly tokens: Readonly<
    Record<string, { readonly lastAcceptedAt: number; readonly unrecorded?: string }>
  >;
}

describe('tickflow live, end to end: the time no tickflow ran is a gap on record', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, rate: 2000, alwaysOpen: true });
  });
  afterAll(async () => sim.close());

  it('SIGKILL then a start: a process-down gap per instrument; SIGTERM then a start: a stopped gap per instrument, in the ledger and on the gap topic', async () => {
    const ns = randomUUID().slice(0, 8);
    const gapTopic = `gaps-${ns}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-downtime-e2e-'));
    const checkpointFile = join(dataDir, 'run-checkpoint.json');
    const readCheckpoint = (): CheckpointFile =>
      JSON.parse(readFileSync(checkpointFile, 'utf8')) as CheckpointFile;
    const env = {
      ...simulatorEnv(sim),
      KAFKA_BROKER: inject('kafkaBroker'),
      REDIS_URL: inject('redisUrl'),
      REDIS_COMMAND_CHANNEL: `commands-${ns}`,
      TICK_TOPIC: `ticks-${ns}`,
      QUARANTINE_TOPIC: `quarantine-${ns}`,
      CANDLE_TOPIC: `candles-${ns}`,
      GAP_TOPIC: gapTopic,
      KAFKA_TOPIC_PARTITIONS: '3',
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'human',
      DATA_DIR: dataDir,
      BACKFILL_ON_START: 'never',
    };
    const running: ServiceProcess[] = [];
    const start = async (): Promise<{
      service: ServiceProcess;
      metric: (name: string) => Promise<number>;
    }> => {
      const port = await freePort();
      const service = startTickflow(['live'], { ...env, METRICS_PORT: String(port) });
      running.push(service);
      const metric = async (name: string): Promise<number> => {
        const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(body)?.[1] ?? 0);
      };
      await service.waitForLine(/^\[INFO\] Connected to MStock WebSocket\b/, 60_000);
      return { service, metric };
    };
    try {
      // Run 1: the first ever opens no gap; ticks flow; then SIGKILL once a checkpoint holds every instrument.
      const first = await start();
      await waitFor('every instrument in the checkpoint', () =>
        Promise.resolve(Object.keys(readCheckpoint().tokens).length === INSTRUMENTS),
      );
      await new Promise((r) => setTimeout(r, 1500));
      expect(await first.metric('gaps_opened_total')).toBe(0);
      first.service.child.kill('SIGKILL');
      await first.service.exited();
      const afterCrash = readCheckpoint();
      expect(afterCrash.stoppedCleanly).toBe(false);

      // Run 2: each instrument's first tick opens its process-down gap; then a clean stop.
      const second = await start();
      await second.service.waitForLine(/previous run did not stop cleanly/, 10_000);
      await waitFor(
        'the process-down gaps',
        async () => (await second.metric('gaps_opened_total')) >= INSTRUMENTS,
      );
      await new Promise((r) => setTimeout(r, 1500));
      second.service.child.kill('SIGTERM');
      expect(await second.service.exited()).toBe(0);
      const afterStop = readCheckpoint();
      expect(afterStop.stoppedCleanly).toBe(true);
      expect(Object.values(afterStop.tokens).filter((t) => t.unrecorded !== undefined)).toEqual([]);

      // Run 3: the same, caused by the stop.
      const third = await start();
      await third.service.waitForLine(/previous run stopped cleanly/, 10_000);
      await waitFor('the stopped gaps', async () => (await third.metric('gaps_opened_total')) >= INSTRUMENTS);
      third.service.child.kill('SIGTERM');
      expect(await third.service.exited()).toBe(0);

      const log = new FileEventLog({
        dir: join(dataDir, 'events'),
        codec: GapLedgerEventC,
        logger: new MemoryLogger(),
        metrics: new MemoryMetrics(),
      });
      const opened = (await log.read(GAP_STREAM)).flatMap((s) =>
        s.event.type === 'FeedGapOpened' ? [s.event.data] : [],
      );
      await log.close();
      const byCause = (cause: string) => opened.filter((g) => g.cause === cause);
      // One gap per instrument and downtime, from the last tick the stopped run had accepted.
      for (const [cause, checkpoint] of [
        ['process-down', afterCrash],
        ['stopped', afterStop],
      ] as const) {
        const gaps = byCause(cause);
        expect(gaps).toHaveLength(INSTRUMENTS);
        for (const gap of gaps) {
          expect(gap.tokens).toHaveLength(1);
          const token = gap.tokens[0] ?? '';
          expect(gap.from).toBe(checkpoint.tokens[token]?.lastAcceptedAt);
          expect(gap.to).toBeGreaterThan(gap.from);
        }
        expect(new Set(gaps.map((g) => g.tokens[0])).size).toBe(INSTRUMENTS);
      }

      const onTopic = (await readTopicWithKcat(inject('kafkaBroker'), gapTopic))
        .map((m) => ({
          key: m.key,
          ...(JSON.parse(m.value) as { event: string; token: string; cause: string }),
        }))
        .filter((r) => r.event === 'FeedGapOpened');
      for (const cause of ['process-down', 'stopped']) {
        const records = onTopic.filter((r) => r.cause === cause);
        expect(new Set(records.map((r) => r.token)).size).toBe(INSTRUMENTS);
        expect(records.every((r) => r.key === r.token)).toBe(true);
      }
      // The downtime gaps, sent from the gap topic's journal too, as the published schema has them.
      await expectTopicMatchesSchema(inject('kafkaBroker'), gapTopic, 'gaps');
    } finally {
      for (const service of running) service.child.kill('SIGKILL');
    }
  });
});
