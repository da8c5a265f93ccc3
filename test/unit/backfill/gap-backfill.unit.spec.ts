import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BARS_PER_REQUEST, planChunks } from '../../../src/domain/backfill-plan-chunks.ts';
import { backfillPlan, isRefused } from '../../../src/domain/backfill-plan.ts';
import { planId } from '../../../src/domain/backfill-plan-types.ts';
import { gapBackfill } from '../../../src/domain/gap-backfill.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { RELIANCE, TCS, ist, nse } from './backfill-fixtures.ts';

const gap = (from: string, to: string, tokens = [RELIANCE]) => ({
  tokens,
  from: ist(from),
  to: ist(to),
  cause: 'disconnect' as const,
});

describe('gapBackfill', () => {
  it('covers exactly the minutes a gap overlaps, both edge bars included', () => {
    const fill = gapBackfill(gap('2026-11-17 10:02:30', '2026-11-17 10:31:10', [TCS, RELIANCE, TCS]), nse);
    expect(fill).toEqual({
      tokens: [TCS, RELIANCE],
      interval: 'minute',
      windows: [{ day: '2026-11-17', open: ist('2026-11-17 10:02:00'), close: ist('2026-11-17 10:32:00') }],
      readyAt: ist('2026-11-17 16:15:00'),
    });
    // 10:02 through 10:31: 30 one-minute bars, one chunk.
    const chunks = planChunks(fill!.tokens, fill!.windows, 'minute');
    expect(chunks.map((c) => c.bars)).toEqual([30, 30]);
  });

  it('takes a bar that starts exactly at the end of the gap, and clips to the session', () => {
    expect(gapBackfill(gap('2026-11-17 09:00:00', '2026-11-17 09:20:00'), nse)?.windows).toEqual([
      { day: '2026-11-17', open: ist('2026-11-17 09:15:00'), close: ist('2026-11-17 09:21:00') },
    ]);
    expect(gapBackfill(gap('2026-11-17 15:29:59', '2026-11-17 18:00:00'), nse)?.windows).toEqual([
      { day: '2026-11-17', open: ist('2026-11-17 15:29:00'), close: ist('2026-11-17 15:30:00') },
    ]);
  });

  it('spans days: the ends clipped, days between whole, weekends skipped; final after the last day', () => {
    const fill = gapBackfill(gap('2026-11-20 15:00:00', '2026-11-24 09:40:00'), nse);
    // 21–22 are a weekend, 24 November 2026 a holiday (Guru Nanak Jayanti): Fri afternoon, Mon whole.
    expect(fill?.windows).toEqual([
      { day: '2026-11-20', open: ist('2026-11-20 15:00:00'), close: ist('2026-11-20 15:30:00') },
      nse.sessionBounds(nse.tradingDay('2026-11-23')!),
    ]);
    expect(fill?.readyAt).toBe(ist('2026-11-23 16:15:00'));
  });

  it('is nothing for a gap outside market hours, without tokens, or backwards', () => {
    expect(gapBackfill(gap('2026-11-17 20:00:00', '2026-11-18 08:00:00'), nse)).toBeUndefined();
    expect(gapBackfill(gap('2026-11-21 10:00:00', '2026-11-21 11:00:00'), nse)).toBeUndefined();
    expect(gapBackfill(gap('2026-11-17 10:00:00', '2026-11-17 11:00:00', []), nse)).toBeUndefined();
    expect(gapBackfill(gap('2026-11-17 11:00:00', '2026-11-17 10:00:00'), nse)).toBeUndefined();
  });

  it('aligns to the interval’s bars from the open for longer intervals', () => {
    expect(gapBackfill(gap('2026-11-17 10:02:00', '2026-11-17 10:16:00'), nse, '15minute')?.windows).toEqual([
      { day: '2026-11-17', open: ist('2026-11-17 10:00:00'), close: ist('2026-11-17 10:30:00') },
    ]);
  });

  it('always yields windows the plan decider accepts, whose chunks hold every minute of the gap', () => {
    const start = ist('2026-11-02 00:00:00');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 * 86_400_000 }),
        fc.integer({ min: 0, max: 5 * 86_400_000 }),
        (offset, length) => {
          const from = epochMs(start + offset);
          const to = epochMs(from + length);
          const fill = gapBackfill({ tokens: [RELIANCE], from, to, cause: 'mute-socket' }, nse);
          if (fill === undefined) return;
          const events = backfillPlan.decide(
            {
              type: 'RequestBackfill',
              data: {
                planId: planId('p'),
                tokens: fill.tokens,
                days: fill.windows,
                interval: 'minute',
                now: epochMs(0),
              },
            },
            backfillPlan.initialState,
          );
          expect(isRefused(events)).toBe(false);
          const chunks = planChunks(fill.tokens, fill.windows, 'minute');
          expect(chunks.every((c) => c.bars <= MAX_BARS_PER_REQUEST)).toBe(true);
          // Every open minute inside the gap lies in some chunk.
          for (let t = Math.ceil(from / 60_000) * 60_000; t <= to; t += 60_000 * 7) {
            if (!nse.isOpen(epochMs(t))) continue;
            expect(chunks.some((c) => c.from <= t && t <= c.to)).toBe(true);
          }
          expect(fill.readyAt).toBeGreaterThan(fill.windows.at(-1)!.close);
        },
      ),
      { numRuns: 150 },
    );
  });
});
