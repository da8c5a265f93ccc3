import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { requestWindows } from '../../../src/adapters/mstock/historical-windows.ts';
import { planChunks } from '../../../src/domain/backfill-plan-chunks.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { type RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { readTopic } from '../../int/kafka/fixtures/read-topic.ts';
import { backfillEnv, configOf } from '../../int/backfill/backfill-env.ts';
import { expectedIds, historicalByToken, total, waitFor } from './backfill-e2e-support.ts';
import { isProcessAlive } from '../../../src/adapters/system/process-alive.ts';

const SATURDAY = epochMs(Date.parse('2026-10-24T10:00:00+05:30'));
/** The index and the first eleven constituents of config/nifty50.csv. */
const TOKENS = ['26000', '25', '15083', '157', '236', '5900', '16669', '317', '16675', '383', '10604', '694'];
const SERVICE = fileURLToPath(new URL('./fixtures/backfill-service.ts', import.meta.url));

interface Line {
  readonly event?: string;
  readonly msg?: string;
  readonly published?: number;
  readonly fetched?: number;
  readonly planId?: string;
  readonly pid?: number;
  readonly outcomes?: readonly { readonly status: string; readonly planId: string }[];
}

/** The backfill service in its own process; its stdout and stderr JSON lines as they come. */
const startService = (env: Record<string, string>) => {
  const child: ChildProcess = spawn(process.execPath, [SERVICE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  const read = (stream: NodeJS.ReadableStream | null): void => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (data: string) => {
      const parts = (rest + data).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) {
        try {
          lines.push(JSON.parse(p) as Line);
        } catch {
          // Not one of ours (a warning from a library).
        }
      }
    });
  };
  read(child.stdout);
  read(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
};

let sim: RunningSimulator;
beforeAll(async () => {
  // Paced so that the kill finds chunks of every kind: published, fetched only, not yet fetched.
  sim = await startSimulator({ rate: 0, historicalRatePerSecond: 20 });
});
afterAll(async () => {
  await sim.close();
});

describe('a backfill killed mid-way', () => {
  it('finishes after a restart without fetching a chunk whose data was already fetched', async () => {
    const env = backfillEnv(sim, inject('kafkaBroker'), inject('redisUrl'), {
      BACKFILL_ON_START: 'auto',
      BACKFILL_TEST_NOW: String(SATURDAY),
      INSTRUMENTS: TOKENS.join(','),
      MSTOCK_HISTORY_RATE_PER_SECOND: '20',
      // Small Kafka batches make publishing slower than fetching.
      KAFKA_BATCH_MAX_TICKS: '20',
    });
    const config = configOf(env);
    const session = makeMarketSession();
    const windows = session.previousTradingDays(SATURDAY, 5).reverse().map(session.sessionBounds);
    const chunks = planChunks(
      [...TOKENS].sort((a, b) => Number(a) - Number(b)).map(instrumentToken),
      windows,
      'minute',
    );
    expect(chunks).toHaveLength(36);

    // First run: SIGKILL the service once some chunks are published and more are fetched.
    const first = startService(env);
    const progress = await waitFor('chunks published, and more fetched', () =>
      first.lines.find((l) => l.event === 'progress' && (l.published ?? 0) >= 4 && (l.fetched ?? 0) >= 3),
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const planId = progress.planId!;
    // The stage processes saw their parent go and left too.
    const stagePids = first.lines.filter((l) => l.msg === 'Backfill stage started').map((l) => l.pid!);
    expect(stagePids.length).toBeGreaterThanOrEqual(2);
    await waitFor(
      'the orphaned stages to exit',
      () => (stagePids.every((p) => !isProcessAlive(p)) ? true : undefined),
      20_000,
    );

    const dir = join(env['DATA_DIR']!, 'backfill', planId);
    const onDisk = new Set(existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ndjson')) : []);
    const fileOf = (id: string): string => `${id.replaceAll(':', '_')}.ndjson`;
    const missing = chunks.filter((c) => !onDisk.has(fileOf(c.id)));
    // Some chunks were never fetched; some were fetched (their file complete) but not published.
    expect(missing.length).toBeGreaterThan(0);
    expect(onDisk.size).toBeGreaterThanOrEqual(progress.published! + progress.fetched!);
    const before = historicalByToken(sim);

    // Second run: the same service, restarted with no command, resumes the plan and finishes it.
    const second = startService(env);
    expect(await second.exited).toBe(0);
    const done = second.lines.find((l) => l.event === 'done');
    expect(done?.outcomes).toMatchObject([{ status: 'succeeded', planId }]);

    // Only chunks without a complete data file were requested again: per token, exactly their requests.
    const after = historicalByToken(sim);
    const settings = { maxBarsPerRequest: 1000, sessionMinutesPerDay: 375 };
    for (const token of TOKENS) {
      const expectedRequests = missing
        .filter((c) => c.token === token)
        .reduce((n, c) => n + requestWindows(c.from, c.to, c.interval, settings).length, 0);
      expect({ token, requests: (after.get(token) ?? 0) - (before.get(token) ?? 0) }).toEqual({
        token,
        requests: expectedRequests,
      });
    }

    const messages = await readTopic(inject('kafkaBroker'), env['TICK_TOPIC']!);
    const ids = messages.map((m) => m.headers['tick-id'] ?? '');
    expect(new Set(ids)).toEqual(await expectedIds(config.app, session, SATURDAY, 5));
    console.log(
      `[backfill e2e] killed after ${progress.published} of 36 chunks published; ${36 - missing.length} had data on disk ` +
        `(${36 - missing.length - progress.published!} of them not yet published); ` +
        `the restart made ${total(after) - total(before)} historical requests; ${ids.length - new Set(ids).size} duplicate messages ` +
        `(chunks in flight at the kill)`,
    );
  }, 300_000);
});
