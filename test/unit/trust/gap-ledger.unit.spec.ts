import { describe, expect, it } from 'vitest';
import { MemoryEventLog, MemoryEventStorage } from '../../../src/adapters/memory/memory-event-log.ts';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { MemoryRecordPublisher } from '../../../src/adapters/memory/memory-record-publisher.ts';
import { GapLedgerEventC } from '../../../src/ports/event-log/streams/gap-event-codec.ts';
import { GapLedgerWriter, type GapFillOutcome } from '../../../src/app/trust/gap-ledger-writer.ts';
import type { FeedGap } from '../../../src/domain/feed-events.ts';
import { gapIdOf, gapLedger, openGaps, type GapLedgerEvent } from '../../../src/domain/gap-ledger.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { deciderSpec } from '../../support/decider-spec.ts';
import { RELIANCE, TCS, TRADING } from './trust-fixtures.ts';

const silent: FeedGap = {
  tokens: [TCS],
  from: TRADING,
  to: epochMs(TRADING + 30_000),
  cause: 'silent-instrument',
};
const drop: FeedGap = {
  tokens: [RELIANCE, TCS],
  from: TRADING,
  to: epochMs(TRADING + 5000),
  cause: 'disconnect',
};
const at = epochMs(TRADING + 60_000);
const spec = deciderSpec(gapLedger);
const full = { expected: 2, received: 2, shortTokens: [] };
interface GapRecord {
  readonly event: string;
  readonly token: string;
}
const opened = (gap: FeedGap): GapLedgerEvent => ({
  type: 'FeedGapOpened',
  data: { gapId: gapIdOf(gap), ...gap, at },
});

describe('gap ledger (decider)', () => {
  it('opens a gap once; the same gap reported again is refused', () => {
    spec
      .given([])
      .when({ type: 'OpenGap', gap: silent, at })
      .then([opened(silent)]);
    spec
      .given([opened(silent)])
      .when({ type: 'OpenGap', gap: silent, at })
      .thenRefuses('GapAlreadyOpened');
  });

  it('closes a gap whose backfill covers the calendar, once; an unknown gap cannot be closed', () => {
    const id = gapIdOf(silent);
    const covered = { type: 'RecordCoverage', gapId: id, coverage: full, maxAttempts: 3, at } as const;
    spec
      .given([opened(silent)])
      .when(covered)
      .then([{ type: 'GapFilled', data: { gapId: id, at, how: 'backfilled', expected: 2, received: 2 } }]);
    spec
      .given([opened(silent), { type: 'GapFilled', data: { gapId: id, at, how: 'nothing-to-fill' } }])
      .when(covered)
      .thenRefuses('GapAlreadyFilled');
    spec.given([]).when(covered).thenRefuses('GapUnknown');
    spec
      .given([opened(silent)])
      .when({ type: 'MarkNothingToFill', gapId: id, at })
      .then([{ type: 'GapFilled', data: { gapId: id, at, how: 'nothing-to-fill' } }]);
  });

  it('a backfill short of the calendar is recorded and asked again for the short tokens, until the last try closes it as short', () => {
    const id = gapIdOf(drop);
    const shortOfTcs = { expected: 4, received: 3, shortTokens: [TCS] };
    const record = { type: 'RecordCoverage', gapId: id, coverage: shortOfTcs, maxAttempts: 2, at } as const;
    const firstShort: GapLedgerEvent = {
      type: 'GapFillShort',
      data: { gapId: id, at, attempt: 1, expected: 4, received: 3, tokens: [TCS] },
    };
    spec
      .given([opened(drop)])
      .when(record)
      .then([firstShort]);
    const state = spec
      .given([opened(drop)])
      .when(record)
      .state();
    // The next backfill asks only for what was short.
    expect(openGaps(state)).toEqual([{ gapId: id, gap: { ...drop, tokens: [TCS] }, shortAttempts: 1 }]);
    spec
      .given([opened(drop), firstShort])
      .when(record)
      .then([
        { type: 'GapFillShort', data: { ...firstShort.data, attempt: 2 } },
        { type: 'GapFilled', data: { gapId: id, at, how: 'short', expected: 4, received: 3 } },
      ]);
    // Covered at the second try: filled.
    spec
      .given([opened(drop), firstShort])
      .when({ ...record, coverage: { expected: 2, received: 2, shortTokens: [] } })
      .then([{ type: 'GapFilled', data: { gapId: id, at, how: 'backfilled', expected: 2, received: 2 } }]);
  });

  it('ids tell gaps apart by cause, span and tokens, whatever the token order', () => {
    expect(gapIdOf(drop)).toBe(gapIdOf({ ...drop, tokens: [TCS, RELIANCE] }));
    expect(gapIdOf(drop)).not.toBe(gapIdOf({ ...drop, tokens: [TCS] }));
    expect(gapIdOf(drop)).not.toBe(gapIdOf({ ...drop, cause: 'mute-socket' }));
    const state = spec
      .given([opened(drop), opened(silent)])
      .when({ type: 'OpenGap', gap: { ...silent, from: epochMs(1) }, at })
      .state();
    expect(openGaps(state)).toHaveLength(3);
  });
});

const setup = (storage = new MemoryEventStorage(), settings = { maxAttempts: 3, retryDelayMs: 10 }) => {
  const fills: { gap: FeedGap; attempt: number; settle: (o: GapFillOutcome) => void }[] = [];
  const publisher = new MemoryRecordPublisher();
  const metrics = new MemoryMetrics();
  const writer = new GapLedgerWriter(
    {
      log: new MemoryEventLog(GapLedgerEventC, storage),
      publisher,
      fill: (gap, attempt) => new Promise((settle) => fills.push({ gap, attempt, settle })),
      clock: new ManualClock(at),
      logger: new MemoryLogger(),
      metrics,
    },
    settings,
  );
  return { storage, fills, publisher, metrics, writer };
};

describe('GapLedgerWriter', () => {
  it('records a gap in the log and on the topic (one record per token), hands it to the backfill, and closes it when filled', async () => {
    const { writer, fills, publisher, storage, metrics } = setup();
    writer.record(drop);
    writer.record(drop);
    await writer.idle();
    expect(storage.streams.get('gaps')).toHaveLength(1);
    expect(fills.map((f) => [f.gap, f.attempt])).toEqual([[drop, 1]]);
    expect(publisher.values()).toEqual([
      expect.objectContaining({
        event: 'FeedGapOpened',
        token: RELIANCE,
        cause: 'disconnect',
        from: TRADING,
        tokens: 2,
      }),
      expect.objectContaining({ event: 'FeedGapOpened', token: TCS }),
    ]);
    expect(publisher.records.map((r) => r.key)).toEqual([RELIANCE, TCS]);
    expect(metrics.value('gaps_open')).toBe(1);

    fills[0]?.settle({ kind: 'backfilled', coverage: full });
    await new Promise((r) => setTimeout(r, 0));
    await writer.idle();
    expect(storage.streams.get('gaps')).toHaveLength(2);
    expect(publisher.values().slice(2)).toEqual([
      expect.objectContaining({ event: 'GapFilled', token: RELIANCE, how: 'backfilled' }),
      expect.objectContaining({ event: 'GapFilled', token: TCS, how: 'backfilled' }),
    ]);
    expect(metrics.value('gaps_open')).toBe(0);
    expect(metrics.value('gaps_filled_total')).toBe(1);
  });

  it('a failed fill leaves the gap open, and a restart hands the open gaps back to the backfill', async () => {
    const first = setup();
    first.writer.record(drop);
    first.writer.record(silent);
    await first.writer.idle();
    first.fills[0]?.settle({ kind: 'failed', reason: 'broker down' });
    first.fills[1]?.settle({ kind: 'backfilled', coverage: full });
    await new Promise((r) => setTimeout(r, 0));
    await first.writer.idle();
    expect(first.metrics.value('gap_ledger_failures_total')).toBe(1);

    const second = setup(first.storage);
    expect(await second.writer.resume()).toBe(1);
    expect(second.fills.map((f) => f.gap)).toEqual([drop]);
    // The open gap is announced again (the last run may have stopped before the topic took it).
    expect(second.publisher.values()).toEqual([
      expect.objectContaining({ event: 'FeedGapOpened', token: RELIANCE, gapId: gapIdOf(drop) }),
      expect.objectContaining({ event: 'FeedGapOpened', token: TCS, gapId: gapIdOf(drop) }),
    ]);
    second.fills[0]?.settle({ kind: 'nothing-to-fill' });
    await new Promise((r) => setTimeout(r, 0));
    await second.writer.idle();
    expect(openGaps(second.writer.snapshot())).toEqual([]);
    // A gap the ledger already holds is not opened twice after the restart.
    second.writer.record(silent);
    await second.writer.idle();
    expect(second.storage.streams.get('gaps')).toHaveLength(4);
  });
});

describe('GapLedgerWriter, short backfills', () => {
  const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('asks again for the short tokens after the retry wait, and closes the gap when covered', async () => {
    const { writer, fills, publisher, storage, metrics } = setup();
    writer.record(drop);
    await writer.idle();
    fills[0]?.settle({ kind: 'backfilled', coverage: { expected: 4, received: 3, shortTokens: [TCS] } });
    await tick(30);
    await writer.idle();
    expect(fills.map((f) => [f.gap.tokens, f.attempt])).toEqual([
      [[RELIANCE, TCS], 1],
      [[TCS], 2],
    ]);
    expect(metrics.value('gap_fills_short_total')).toBe(1);
    fills[1]?.settle({ kind: 'backfilled', coverage: { expected: 2, received: 2, shortTokens: [] } });
    await tick();
    await writer.idle();
    expect(storage.streams.get('gaps')?.map((e) => (JSON.parse(e) as { type: string }).type)).toEqual([
      'FeedGapOpened',
      'GapFillShort',
      'GapFilled',
    ]);
    expect(publisher.values().map((v) => [(v as GapRecord).event, (v as GapRecord).token])).toEqual([
      ['FeedGapOpened', RELIANCE],
      ['FeedGapOpened', TCS],
      ['GapFillShort', TCS],
      ['GapFilled', RELIANCE],
      ['GapFilled', TCS],
    ]);
    expect(metrics.value('gaps_open')).toBe(0);
  });

  it('closes the gap as short after the last try, and a restart resumes a short gap with its short tokens only', async () => {
    const first = setup(new MemoryEventStorage(), { maxAttempts: 2, retryDelayMs: 60_000 });
    first.writer.record(drop);
    await first.writer.idle();
    first.fills[0]?.settle({
      kind: 'backfilled',
      coverage: { expected: 4, received: 3, shortTokens: [TCS] },
    });
    await tick();
    // Stopped during the wait: the gap stays open, asked again by the next start.
    await first.writer.close();
    expect(first.fills).toHaveLength(1);

    const second = setup(first.storage, { maxAttempts: 2, retryDelayMs: 10 });
    expect(await second.writer.resume()).toBe(1);
    expect(second.fills.map((f) => [f.gap.tokens, f.attempt])).toEqual([[[TCS], 2]]);
    second.fills[0]?.settle({
      kind: 'backfilled',
      coverage: { expected: 2, received: 1, shortTokens: [TCS] },
    });
    await tick(30);
    await second.writer.idle();
    const filled = JSON.parse(second.storage.streams.get('gaps')?.at(-1) ?? 'null') as unknown;
    expect(filled).toEqual({
      type: 'GapFilled',
      data: { gapId: gapIdOf(drop), at, how: 'short', expected: 2, received: 1 },
    });
    expect(second.fills).toHaveLength(1);
    expect(openGaps(second.writer.snapshot())).toEqual([]);
  });
});
