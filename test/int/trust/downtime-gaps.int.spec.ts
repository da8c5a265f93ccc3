import { mkdtempSync, writeFileSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileEventLog } from '../../../src/adapters/event-log/file-event-log.ts';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { MemoryRecordPublisher } from '../../../src/adapters/memory/memory-record-publisher.ts';
import { MemoryTickSink } from '../../../src/adapters/memory/memory-tick-sink.ts';
import { RunCheckpointFile } from '../../../src/adapters/run-checkpoint/run-checkpoint-file.ts';
import { DowntimeRecorder } from '../../../src/app/trust/downtime-recorder.ts';
import { GapLedgerEventC } from '../../../src/ports/event-log/streams/gap-event-codec.ts';
import { GAP_STREAM, GapLedgerWriter } from '../../../src/app/trust/gap-ledger-writer.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import { epochMs, rupees } from '../../../src/domain/units.ts';

const RELIANCE = instrumentToken(2885);
const TCS = instrumentToken(11536);
const tokens = [RELIANCE, TCS];
/** Thursday 2026-11-19 21:00 IST: a night, so the ledger asks no backfill. */
const NIGHT = epochMs(Date.parse('2026-11-19T21:00:00+05:30'));
const tickOf = (token: typeof RELIANCE, at: number): Tick => ({
  token,
  ltp: rupees(100),
  volume: 1,
  exchangeTime: epochMs(NIGHT + at),
  receivedAt: epochMs(NIGHT + at + 20),
  source: 'live',
  seq: 0,
});

/** One service run over DATA_DIR `dir`: the real file event log, the real checkpoint file. */
const startRun = async (dir: string) => {
  const logger = new MemoryLogger('info');
  const metrics = new MemoryMetrics();
  const log = new FileEventLog({ dir: join(dir, 'events'), codec: GapLedgerEventC, logger, metrics });
  const ledger = new GapLedgerWriter(
    {
      log,
      publisher: new MemoryRecordPublisher(),
      fill: () => Promise.resolve({ kind: 'nothing-to-fill' }),
      clock: new ManualClock(NIGHT),
      logger,
      metrics,
    },
    { maxAttempts: 3, retryDelayMs: 10 },
  );
  await ledger.resume();
  const recorder = await DowntimeRecorder.start(
    {
      store: new RunCheckpointFile(join(dir, 'run-checkpoint.json')),
      openGap: (gap) => ledger.open(gap),
      clock: new ManualClock(NIGHT),
      logger,
      metrics,
    },
    { tokens, intervalMs: 20 },
  );
  const sink = recorder.watch(new MemoryTickSink());
  const settle = async () => {
    await recorder.settled();
    await ledger.idle();
  };
  const crash = async () => {
    await new Promise((r) => setTimeout(r, 100)); // a few checkpoint intervals
    recorder.close();
    await ledger.close();
    await log.close();
  };
  const stop = async () => {
    await ledger.close();
    await recorder.stop();
    await log.close();
  };
  return { sink, settle, crash, stop, logger, metrics };
};

const ledgerOf = async (dir: string) => {
  const log = new FileEventLog({
    dir: join(dir, 'events'),
    codec: GapLedgerEventC,
    logger: new MemoryLogger(),
    metrics: new MemoryMetrics(),
  });
  const events = (await log.read(GAP_STREAM)).map((s) => s.event);
  await log.close();
  return events;
};

describe('downtime gaps through the real gap ledger and the file event log', () => {
  it('a crash and a clean stop each leave their gap per instrument in the `gaps` stream, closed like any other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickflow-downtime-'));
    const first = await startRun(dir);
    await first.sink.publish([tickOf(RELIANCE, 1000), tickOf(TCS, 1200)]);
    await first.crash();

    const second = await startRun(dir);
    await second.sink.publish([tickOf(RELIANCE, 30_000), tickOf(TCS, 31_000)]);
    await second.settle();
    await second.stop();

    const third = await startRun(dir);
    await third.sink.publish([tickOf(TCS, 90_000), tickOf(RELIANCE, 91_000)]);
    await third.settle();
    await third.stop();

    const events = await ledgerOf(dir);
    const opened = events.flatMap((e) =>
      e.type === 'FeedGapOpened'
        ? [[e.data.tokens, e.data.from - NIGHT, e.data.to - NIGHT, e.data.cause]]
        : [],
    );
    expect(opened).toEqual([
      [[RELIANCE], 1000, 30_000, 'process-down'],
      [[TCS], 1200, 31_000, 'process-down'],
      [[TCS], 31_000, 90_000, 'stopped'],
      [[RELIANCE], 30_000, 91_000, 'stopped'],
    ]);
    // Filled by the backfill like any other gap (at night: nothing to fill).
    expect(events.filter((e) => e.type === 'GapFilled')).toHaveLength(4);
  });

  it('a damaged checkpoint is reported, and every instrument gets a process-down gap from its last write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickflow-downtime-'));
    const file = join(dir, 'run-checkpoint.json');
    writeFileSync(file, '{"version":1,"writtenAt":');
    await utimes(file, new Date(NIGHT + 5000), new Date(NIGHT + 5000));
    const run = await startRun(dir);
    expect(run.logger.lines().join('\n')).toMatch(/run checkpoint is unreadable/);
    expect(run.metrics.value('run_checkpoint_failures_total')).toBe(1);
    await run.sink.publish([tickOf(RELIANCE, 60_000), tickOf(TCS, 61_000)]);
    await run.settle();
    await run.stop();
    const opened = (await ledgerOf(dir)).flatMap((e) =>
      e.type === 'FeedGapOpened' ? [[e.data.tokens, e.data.from - NIGHT, e.data.cause]] : [],
    );
    expect(opened).toEqual([
      [[RELIANCE], 5000, 'process-down'],
      [[TCS], 5000, 'process-down'],
    ]);
  });
});
