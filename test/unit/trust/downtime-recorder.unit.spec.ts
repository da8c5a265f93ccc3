import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryEventLog, MemoryEventStorage } from '../../../src/adapters/memory/memory-event-log.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { MemoryRecordPublisher } from '../../../src/adapters/memory/memory-record-publisher.ts';
import { MemoryTickSink } from '../../../src/adapters/memory/memory-tick-sink.ts';
import { DowntimeRecorder } from '../../../src/app/trust/downtime-recorder.ts';
import { GapLedgerEventC } from '../../../src/ports/event-log/streams/gap-event-codec.ts';
import { GapLedgerWriter } from '../../../src/app/trust/gap-ledger-writer.ts';
import type { FeedGap } from '../../../src/domain/feed-events.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import type { InstrumentToken } from '../../../src/domain/instrument.ts';
import type { PreviousRun, RunCheckpoint } from '../../../src/domain/gap-downtime.ts';
import { epochMs, type EpochMs } from '../../../src/domain/units.ts';
import type { RunCheckpointStore } from '../../../src/ports/run-checkpoint.ts';
import type { TickSink } from '../../../src/ports/tick-sink/tick-sink.ts';
import { NIGHT, RELIANCE, TCS, tick } from './trust-fixtures.ts';

/** The checkpoint kept in memory across "runs", as the file keeps it across processes. */
class MemoryCheckpointStore implements RunCheckpointStore {
  written: RunCheckpoint | undefined;
  writes = 0;
  read(): Promise<PreviousRun> {
    return Promise.resolve(
      this.written === undefined ? { kind: 'first-run' } : { kind: 'checkpoint', checkpoint: this.written },
    );
  }
  write(checkpoint: RunCheckpoint): Promise<void> {
    this.written = checkpoint;
    this.writes += 1;
    return Promise.resolve();
  }
}

const tokens = [RELIANCE, TCS];

/** One run of the service: the recorder in front of a sink, over a ledger kept in `storage`. */
const startRun = async (
  store: RunCheckpointStore,
  storage: MemoryEventStorage,
  over: {
    openGap?: (gap: FeedGap) => Promise<boolean>;
    intervalMs?: number;
    tokens?: readonly InstrumentToken[];
    shared?: (lastAccepted: ReadonlyMap<InstrumentToken, EpochMs>, writtenAt: EpochMs) => void;
  } = {},
) => {
  const publisher = new MemoryRecordPublisher();
  const ledger = new GapLedgerWriter(
    {
      log: new MemoryEventLog(GapLedgerEventC, storage),
      publisher,
      // Night gaps: the backfill is never asked; the ledger alone is under test.
      fill: () => new Promise(() => undefined),
      clock: new ManualClock(NIGHT),
      logger: new MemoryLogger(),
      metrics: new MemoryMetrics(),
    },
    { maxAttempts: 3, retryDelayMs: 10 },
  );
  await ledger.resume();
  const sink = new MemoryTickSink();
  const recorder = await DowntimeRecorder.start(
    {
      store,
      openGap: over.openGap ?? ((gap) => ledger.open(gap)),
      clock: new ManualClock(NIGHT),
      logger: new MemoryLogger(),
      metrics: new MemoryMetrics(),
      ...(over.shared === undefined ? {} : { shared: over.shared }),
    },
    { tokens: over.tokens ?? tokens, intervalMs: over.intervalMs ?? 60_000 },
  );
  return { ledger, publisher, sink, recorder, watched: recorder.watch(sink) };
};

const at = (ms: number) => epochMs(NIGHT + ms);
const opened = async (storage: MemoryEventStorage): Promise<FeedGap[]> =>
  (await new MemoryEventLog(GapLedgerEventC, storage).read('gaps'))
    .map((s) => s.event)
    .filter((e) => e.type === 'FeedGapOpened')
    .map(({ data: { tokens: t, from, to, cause } }) => ({ tokens: t, from, to, cause }));

/** Publishes through the watched sink and waits until every gap it opened is on the ledger. */
const publishSettled = async (run: Awaited<ReturnType<typeof startRun>>, batch: readonly Tick[]) => {
  await run.watched.publish(batch);
  await run.recorder.settled();
  await run.ledger.idle();
};

/** A first run in which both tokens ticked at 1 s, stopped cleanly: the checkpoint the next run starts from. */
const afterACleanStop = async () => {
  const store = new MemoryCheckpointStore();
  const storage = new MemoryEventStorage();
  const first = await startRun(store, storage);
  await first.watched.publish([tick(at(1000)), tick(at(1000), { token: TCS })]);
  await first.recorder.stop();
  return { store, storage };
};

describe('DowntimeRecorder', () => {
  it('a first run opens nothing; its clean stop leaves each token last accepted tick, stopped cleanly', async () => {
    const store = new MemoryCheckpointStore();
    const storage = new MemoryEventStorage();
    const run = await startRun(store, storage);
    expect(store.written?.stoppedCleanly).toBe(false); // at once: a crash from here on is told apart
    await run.watched.publish([tick(at(1000), { exchangeTime: at(900) }), tick(at(2000), { token: TCS })]);
    await run.watched.publish([tick(at(3000), { exchangeTime: at(2900) })]);
    await run.recorder.stop();
    expect(await opened(storage)).toEqual([]);
    expect(store.written).toEqual({
      writtenAt: NIGHT,
      stoppedCleanly: true,
      tokens: new Map([
        [RELIANCE, { lastAcceptedAt: at(2900) }],
        [TCS, { lastAcceptedAt: at(1950) }],
      ]),
    });
  });

  it('after a clean stop, each token first tick opens a stopped gap in the ledger and on the gap topic', async () => {
    const { store, storage } = await afterACleanStop();
    const second = await startRun(store, storage);
    await second.watched.publish([tick(at(60_000)), tick(at(60_000))]);
    await second.recorder.settled();
    await second.ledger.idle();
    expect(await opened(storage)).toEqual([
      { tokens: [RELIANCE], from: at(950), to: at(59_950), cause: 'stopped' },
    ]);
    expect(second.publisher.values()).toEqual([
      expect.objectContaining({ event: 'FeedGapOpened', token: RELIANCE, cause: 'stopped' }),
    ]);
    expect(second.recorder.waitingTokens()).toEqual([TCS]);
    expect(second.sink.ticks()).toHaveLength(2); // the watched sink passes every tick on
  });

  it('a crash (no clean stop) gives process-down gaps, from the last periodic checkpoint; a token silent through a run keeps its downtime', async () => {
    const store = new MemoryCheckpointStore();
    const storage = new MemoryEventStorage();
    const first = await startRun(store, storage, { intervalMs: 5 });
    await first.watched.publish([tick(at(1000)), tick(at(1000), { token: TCS })]);
    const writes = store.writes;
    await new Promise((r) => setTimeout(r, 50));
    expect(store.writes).toBeGreaterThan(writes);
    first.recorder.close(); // SIGKILL: no last word

    const second = await startRun(store, storage, { intervalMs: 5 });
    await second.watched.publish([tick(at(60_000))]);
    await second.recorder.settled();
    await new Promise((r) => setTimeout(r, 50));
    second.recorder.close(); // a second crash, TCS never ticked in between

    const third = await startRun(store, storage);
    await third.watched.publish([tick(at(120_000)), tick(at(120_000), { token: TCS })]);
    await third.recorder.settled();
    await third.ledger.idle();
    expect(await opened(storage)).toEqual([
      { tokens: [RELIANCE], from: at(950), to: at(59_950), cause: 'process-down' },
      { tokens: [RELIANCE], from: at(59_950), to: at(119_950), cause: 'process-down' },
      // From its last tick two runs back, not from the second run's start.
      { tokens: [TCS], from: at(950), to: at(119_950), cause: 'process-down' },
    ]);
  });

  it('a publish the sink refused does not move the checkpoint', async () => {
    const store = new MemoryCheckpointStore();
    const run = await startRun(store, new MemoryEventStorage());
    await run.watched.publish([tick(at(1000))]);
    const refusing: TickSink = run.recorder.watch({
      publish: () => Promise.reject(new Error('journal full')),
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
    });
    await expect(refusing.publish([tick(at(9000))])).rejects.toThrow('journal full');
    await run.recorder.stop();
    expect(store.written?.tokens.get(RELIANCE)).toEqual({ lastAcceptedAt: at(950) });
  });

  it('a gap the ledger could not record stays in the checkpoint, for the next run to open', async () => {
    const store = new MemoryCheckpointStore();
    const storage = new MemoryEventStorage();
    const first = await startRun(store, storage, { intervalMs: 5 });
    await first.watched.publish([tick(at(1000))]);
    await new Promise((r) => setTimeout(r, 50));
    first.recorder.close();

    const second = await startRun(store, storage, { openGap: () => Promise.resolve(false) });
    await second.watched.publish([tick(at(60_000))]);
    await second.recorder.settled();
    await second.recorder.stop();
    expect(store.written?.tokens.get(RELIANCE)).toEqual({
      lastAcceptedAt: at(950),
      unrecorded: 'process-down',
    });

    const third = await startRun(store, storage);
    await third.watched.publish([tick(at(120_000))]);
    await third.recorder.settled();
    await third.ledger.idle();
    expect(await opened(storage)).toEqual([
      { tokens: [RELIANCE], from: at(950), to: at(119_950), cause: 'process-down' },
    ]);
  });

  it('follows the instruments: one added while running gets its downtime at its first tick, one removed leaves the checkpoint', async () => {
    const { store, storage } = await afterACleanStop();
    // The second run starts with RELIANCE alone; TCS is added while it runs.
    const second = await startRun(store, storage, { tokens: [RELIANCE] });
    expect(second.recorder.waitingTokens()).toEqual([RELIANCE]);
    second.recorder.follow([TCS], []);
    expect(second.recorder.waitingTokens()).toEqual([RELIANCE, TCS]);
    await publishSettled(second, [tick(at(60_000)), tick(at(60_000), { token: TCS })]);
    expect(await opened(storage)).toEqual([
      { tokens: [RELIANCE], from: at(950), to: at(59_950), cause: 'stopped' },
      { tokens: [TCS], from: at(950), to: at(59_950), cause: 'stopped' },
    ]);

    second.recorder.follow([], [RELIANCE]);
    await second.recorder.stop();
    expect(store.written?.tokens).toEqual(new Map([[TCS, { lastAcceptedAt: at(59_950) }]]));
  });

  describe('in a cluster: failovers of shards gained', () => {
    const failover = (from: EpochMs) => ({ from, cause: 'failover' as const });

    it("a gained token opens a failover gap at its first tick here, from its previous owner's last tick; a short hand-over opens none", async () => {
      const store = new MemoryCheckpointStore();
      const storage = new MemoryEventStorage();
      const run = await startRun(store, storage, { tokens: [] });
      run.recorder.expectFailovers(
        new Map([
          [RELIANCE, failover(at(1000))],
          [TCS, failover(at(58_000))], // 1.95 s before its first tick here: a clean hand-over
        ]),
      );
      run.recorder.follow([RELIANCE, TCS], []);
      expect(run.recorder.waitingTokens()).toEqual([RELIANCE, TCS]);
      await publishSettled(run, [tick(at(60_000)), tick(at(60_000), { token: TCS })]);
      expect(await opened(storage)).toEqual([
        { tokens: [RELIANCE], from: at(1000), to: at(59_950), cause: 'failover' },
      ]);
      expect(run.publisher.values()).toEqual([
        expect.objectContaining({ event: 'FeedGapOpened', token: RELIANCE, cause: 'failover' }),
      ]);
      expect(run.recorder.waitingTokens()).toEqual([]);
      await run.recorder.stop();
      // Neither is left for the next run: one is on record, the other was no gap.
      expect(store.written?.tokens).toEqual(
        new Map([
          [RELIANCE, { lastAcceptedAt: at(59_950) }],
          [TCS, { lastAcceptedAt: at(59_950) }],
        ]),
      );
    });

    it('of its own downtime and a failover, the later start bounds the gap; a failover of a token not added is dropped', async () => {
      const { store, storage } = await afterACleanStop(); // both last ticked here at 950 ms
      const run = await startRun(store, storage, { tokens: [] });
      run.recorder.expectFailovers(new Map([[RELIANCE, failover(at(30_000))]]));
      run.recorder.follow([RELIANCE, TCS], []);
      await publishSettled(run, [tick(at(60_000)), tick(at(60_000), { token: TCS })]);
      expect(await opened(storage)).toEqual([
        { tokens: [RELIANCE], from: at(30_000), to: at(59_950), cause: 'failover' },
        { tokens: [TCS], from: at(950), to: at(59_950), cause: 'stopped' },
      ]);
      // Lost and gained again within the run: neither the previous run's downtime nor the used
      // failover comes back (a new failover would be read from the shared checkpoint again).
      run.recorder.follow([], [RELIANCE]);
      run.recorder.follow([RELIANCE], []);
      expect(run.recorder.waitingTokens()).toEqual([]);
    });

    it("a failover not yet on record is kept in the run checkpoint as a crash's downtime", async () => {
      const store = new MemoryCheckpointStore();
      const run = await startRun(store, new MemoryEventStorage(), {
        tokens: [],
        openGap: () => Promise.resolve(false),
      });
      run.recorder.expectFailovers(new Map([[RELIANCE, failover(at(1000))]]));
      run.recorder.follow([RELIANCE], []);
      await run.recorder.stop();
      expect(store.written?.tokens.get(RELIANCE)).toEqual({
        lastAcceptedAt: at(1000),
        unrecorded: 'process-down',
      });
    });

    it("hands the shared checkpoint the followed tokens' last accepted ticks at each periodic write, not at the clean stop", async () => {
      const shared: Map<InstrumentToken, EpochMs>[] = [];
      const run = await startRun(new MemoryCheckpointStore(), new MemoryEventStorage(), {
        tokens: [],
        intervalMs: 5,
        shared: (lastAccepted) => shared.push(new Map(lastAccepted)),
      });
      run.recorder.follow([RELIANCE, TCS], []);
      await run.watched.publish([tick(at(1000)), tick(at(2000), { token: TCS })]);
      await new Promise((r) => setTimeout(r, 50));
      expect(shared.at(-1)).toEqual(
        new Map([
          [RELIANCE, at(950)],
          [TCS, at(1950)],
        ]),
      );
      // TCS's shard moved away; a tick of it still in flight must not bring it back.
      run.recorder.follow([], [TCS]);
      await run.watched.publish([tick(at(3000)), tick(at(3000), { token: TCS })]);
      await new Promise((r) => setTimeout(r, 50));
      expect(shared.at(-1)).toEqual(new Map([[RELIANCE, at(2950)]]));
      const before = shared.length;
      await run.recorder.stop();
      expect(shared).toHaveLength(before);
    });
  });
});
