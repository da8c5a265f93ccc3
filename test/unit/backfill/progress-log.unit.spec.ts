import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { startProgressLog, type Every } from '../../../src/app/backfill/progress-log.ts';
import { planId } from '../../../src/domain/backfill-plan-types.ts';

const P = planId('p');
const progress = (published: number, extra: Partial<{ failed: number; givenUp: number }> = {}) => ({
  total: 4,
  pending: 4 - published - (extra.givenUp ?? 0),
  failed: extra.failed ?? 0,
  fetched: 0,
  published,
  givenUp: extra.givenUp ?? 0,
  publishedBars: published * 750,
});

/** An interval the test fires by hand, on a clock it moves by hand. */
const handTimer = () => {
  const t = { now: 0, ticks: [] as (() => void)[], stopped: 0, everyMs: [] as number[] };
  const every: Every = (ms, tick) => {
    t.everyMs.push(ms);
    t.ticks.push(tick);
    return () => {
      t.stopped += 1;
    };
  };
  const fire = (atMs: number): void => {
    t.now = atMs;
    for (const tick of t.ticks) tick();
  };
  return { t, every, fire };
};

describe('startProgressLog', () => {
  it('logs chunks done of the total, bars and their rate at info on every interval, even when nothing moved', () => {
    const logger = new MemoryLogger('info');
    const { t, every, fire } = handTimer();
    const log = startProgressLog({ logger, everyMs: 5000, bar: false, now: () => t.now, every });
    expect(t.everyMs).toEqual([5000]);

    fire(5000); // no progress reported yet: nothing to say
    expect(logger.records).toEqual([]);
    t.now = 5000;
    log.update(P, progress(0));
    log.update(P, progress(1, { failed: 1 }));
    fire(10_000);
    fire(15_000);
    log.update(P, progress(3, { givenUp: 1 }));
    fire(17_000);
    log.stop();

    expect(logger.records.map((r) => [r.level, r.message, r.fields])).toEqual([
      [
        'info',
        'Backfill progress',
        { plan: 'p', chunksDone: 1, chunks: 4, bars: 750, barsPerSecond: 150, failed: 1 },
      ],
      [
        'info',
        'Backfill progress',
        { plan: 'p', chunksDone: 1, chunks: 4, bars: 750, barsPerSecond: 0, failed: 1 },
      ],
      [
        'info',
        'Backfill progress',
        { plan: 'p', chunksDone: 4, chunks: 4, bars: 2250, barsPerSecond: 750, givenUp: 1 },
      ],
    ]);
    expect(t.stopped).toBe(1);
  });

  it('puts a progress bar in the line for a terminal', () => {
    const logger = new MemoryLogger('info');
    const { t, every, fire } = handTimer();
    const log = startProgressLog({ logger, everyMs: 1000, bar: true, now: () => t.now, every });
    log.update(P, progress(1));
    fire(1000);
    expect(logger.records.map((r) => r.message)).toEqual([
      `Backfill progress [${'#'.repeat(8)}${'.'.repeat(22)}] 25%`,
    ]);
  });
});
