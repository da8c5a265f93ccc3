import { describe, expect, it } from 'vitest';
import { MemoryEventLog, MemoryEventStorage } from '../../../src/adapters/memory/memory-event-log.ts';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { MemoryRecordPublisher } from '../../../src/adapters/memory/memory-record-publisher.ts';
import { GapLedgerEventC } from '../../../src/app/trust/gap-event-codec.ts';
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

  it('fills an open gap once; an unknown gap cannot be filled', () => {
    const id = gapIdOf(silent);
    spec
      .given([opened(silent)])
      .when({ type: 'MarkFilled', gapId: id, how: 'backfilled', at })
      .then([{ type: 'GapFilled', data: { gapId: id, at, how: 'backfilled' } }]);
    spec
      .given([opened(silent), { type: 'GapFilled', data: { gapId: id, at, how: 'backfilled' } }])
      .when({ type: 'MarkFilled', gapId: id, how: 'backfilled', at })
      .thenRefuses('GapAlreadyFilled');
    spec.given([]).when({ type: 'MarkFilled', gapId: id, how: 'backfilled', at }).thenRefuses('GapUnknown');
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

const setup = (storage = new MemoryEventStorage()) => {
  const fills: { gap: FeedGap; settle: (o: GapFillOutcome) => void }[] = [];
  const publisher = new MemoryRecordPublisher();
  const metrics = new MemoryMetrics();
  const writer = new GapLedgerWriter({
    log: new MemoryEventLog(GapLedgerEventC, storage),
    publisher,
    fill: (gap) => new Promise((settle) => fills.push({ gap, settle })),
    clock: new ManualClock(at),
    logger: new MemoryLogger(),
    metrics,
  });
  return { storage, fills, publisher, metrics, writer };
};

describe('GapLedgerWriter', () => {
  it('records a gap in the log and on the topic (one record per token), hands it to the backfill, and closes it when filled', async () => {
    const { writer, fills, publisher, storage, metrics } = setup();
    writer.record(drop);
    writer.record(drop);
    await writer.idle();
    expect(storage.streams.get('gaps')).toHaveLength(1);
    expect(fills.map((f) => f.gap)).toEqual([drop]);
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

    fills[0]?.settle({ kind: 'filled', how: 'backfilled' });
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
    first.fills[1]?.settle({ kind: 'filled', how: 'backfilled' });
    await new Promise((r) => setTimeout(r, 0));
    await first.writer.idle();
    expect(first.metrics.value('gap_ledger_failures_total')).toBe(1);

    const second = setup(first.storage);
    expect(await second.writer.resume()).toBe(1);
    expect(second.fills.map((f) => f.gap)).toEqual([drop]);
    second.fills[0]?.settle({ kind: 'filled', how: 'nothing-to-fill' });
    await new Promise((r) => setTimeout(r, 0));
    await second.writer.idle();
    expect(openGaps(second.writer.snapshot())).toEqual([]);
    // A gap the ledger already holds is not opened twice after the restart.
    second.writer.record(silent);
    await second.writer.idle();
    expect(second.storage.streams.get('gaps')).toHaveLength(4);
  });
});
