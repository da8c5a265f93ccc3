import { describe, expect, it } from 'vitest';
import {
  checkpointOf,
  downtimeGaps,
  downtimesAfter,
  type PreviousRun,
  type RunCheckpoint,
} from '../../../src/domain/gap-downtime.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { epochMs } from '../../../src/domain/units.ts';

const NIFTY = instrumentToken(26000);
const RELIANCE = instrumentToken(2885);
const TCS = instrumentToken(11536);
const tokens = [NIFTY, RELIANCE, TCS];
const T = 1_763_526_600_000; // 2026-11-19 10:00 IST

const checkpoint = (over: Partial<RunCheckpoint> = {}): PreviousRun => ({
  kind: 'checkpoint',
  checkpoint: {
    writtenAt: epochMs(T + 2000),
    stoppedCleanly: false,
    tokens: new Map([
      [NIFTY, { lastAcceptedAt: epochMs(T + 1000) }],
      [RELIANCE, { lastAcceptedAt: epochMs(T + 1500) }],
    ]),
    ...over,
  },
});
const firstTicks = new Map([
  [NIFTY, epochMs(T + 60_000)],
  [RELIANCE, epochMs(T + 61_000)],
  [TCS, epochMs(T + 62_000)],
]);

describe('downtime gaps between two runs', () => {
  it('after a crash: per token, a process-down gap from its last accepted tick to its first tick of this run', () => {
    expect(downtimeGaps(checkpoint(), tokens, firstTicks)).toEqual([
      { tokens: [NIFTY], from: T + 1000, to: T + 60_000, cause: 'process-down' },
      { tokens: [RELIANCE], from: T + 1500, to: T + 61_000, cause: 'process-down' },
    ]);
  });

  it('after a clean stop: the same gaps, caused by `stopped`', () => {
    const gaps = downtimeGaps(checkpoint({ stoppedCleanly: true }), tokens, firstTicks);
    expect(gaps.map((g) => [g.tokens[0], g.cause])).toEqual([
      [NIFTY, 'stopped'],
      [RELIANCE, 'stopped'],
    ]);
  });

  it('the first run ever opens no gap; a token not ticking yet waits; a token no longer subscribed is dropped', () => {
    expect(downtimeGaps({ kind: 'first-run' }, tokens, firstTicks)).toEqual([]);
    expect(downtimeGaps(checkpoint(), tokens, new Map([[RELIANCE, epochMs(T + 61_000)]]))).toEqual([
      { tokens: [RELIANCE], from: T + 1500, to: T + 61_000, cause: 'process-down' },
    ]);
    expect([...downtimesAfter(checkpoint(), [TCS, RELIANCE]).keys()]).toEqual([RELIANCE]);
  });

  it('an unreadable checkpoint: every instrument gets a process-down gap from when the file was last written', () => {
    const unreadable: PreviousRun = { kind: 'unreadable', modifiedAt: epochMs(T + 5000), reason: 'not JSON' };
    expect(downtimeGaps(unreadable, tokens, firstTicks)).toEqual([
      { tokens: [NIFTY], from: T + 5000, to: T + 60_000, cause: 'process-down' },
      { tokens: [RELIANCE], from: T + 5000, to: T + 61_000, cause: 'process-down' },
      { tokens: [TCS], from: T + 5000, to: T + 62_000, cause: 'process-down' },
    ]);
  });

  it('a first tick stamped before the last accepted one still records the downtime, with no length', () => {
    expect(downtimeGaps(checkpoint(), [NIFTY], new Map([[NIFTY, epochMs(T)]]))).toEqual([
      { tokens: [NIFTY], from: T + 1000, to: T + 1000, cause: 'process-down' },
    ]);
  });

  it('a downtime carried over keeps process-down when any run in it crashed, else takes how the last run ended', () => {
    const carried = (unrecorded: 'process-down' | 'stopped', stoppedCleanly: boolean) =>
      downtimesAfter(
        checkpoint({
          stoppedCleanly,
          tokens: new Map([[TCS, { lastAcceptedAt: epochMs(T), unrecorded }]]),
        }),
        tokens,
      ).get(TCS)?.cause;
    expect(carried('process-down', true)).toBe('process-down');
    expect(carried('stopped', false)).toBe('process-down');
    expect(carried('stopped', true)).toBe('stopped');
  });

  it('the checkpoint a run writes keeps the downtimes not on record, with their start, beside the last accepted ticks', () => {
    const written = checkpointOf({
      writtenAt: epochMs(T + 90_000),
      stoppedCleanly: true,
      lastAccepted: new Map([
        [NIFTY, epochMs(T + 89_000)],
        [RELIANCE, epochMs(T + 88_000)],
      ]),
      unrecorded: new Map([[TCS, { from: epochMs(T), cause: 'process-down' }]]),
    });
    expect(written).toEqual({
      writtenAt: T + 90_000,
      stoppedCleanly: true,
      tokens: new Map([
        [NIFTY, { lastAcceptedAt: T + 89_000 }],
        [RELIANCE, { lastAcceptedAt: T + 88_000 }],
        [TCS, { lastAcceptedAt: T, unrecorded: 'process-down' }],
      ]),
    });
    // Read back by the next run: the carried token keeps its start and its crash.
    expect(downtimesAfter({ kind: 'checkpoint', checkpoint: written }, tokens).get(TCS)).toEqual({
      from: T,
      cause: 'process-down',
    });
  });
});
