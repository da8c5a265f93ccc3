import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryEventLog, MemoryEventStorage } from '../../../src/adapters/memory/memory-event-log.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import {
  startSelectionRefresh,
  SELECTION_STREAM,
  type Selection,
} from '../../../src/app/live/selection-refresh.ts';
import { instrumentToken, type Exchange, type Instrument } from '../../../src/domain/instrument.ts';
import type { SelectionChange } from '../../../src/domain/instrument-selection.ts';
import { istTime, parseIstDate, type IstDate } from '../../../src/domain/ist.ts';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { SelectionEventC } from '../../../src/ports/event-log/streams/selection-event-codec.ts';
import { epochMs } from '../../../src/domain/units.ts';

const day = (s: string): IstDate => parseIstDate(s) ?? expect.fail(`bad date ${s}`);
const option = (token: number, symbol: string, exchange: Exchange = 'NFO'): Instrument => ({
  token: instrumentToken(token),
  symbol,
  exchange,
  kind: 'equity',
});

/** Wed 2026-12-02 07:00 IST; the refresh is at 08:30 IST. */
const WED_0700_IST = epochMs(Date.UTC(2026, 11, 2, 1, 30));
const REFRESH_AT = istTime(8, 30);
const HOUR = 3_600_000;

/** Timers that fire when the test says, so the clock can jump over them. */
class ManualTimers {
  private pending: { at: number; fn: () => void }[] = [];
  private readonly clock: ManualClock;
  constructor(clock: ManualClock) {
    this.clock = clock;
  }
  readonly schedule = (fn: () => void, ms: number): (() => void) => {
    const entry = { at: this.clock.now() + ms, fn };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((e) => e !== entry);
    };
  };
  /** Moves the clock by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    for (;;) {
      const due = this.pending.filter((e) => e.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.pending = this.pending.filter((e) => e !== due);
      if (due.at > this.clock.now()) this.clock.set(epochMs(due.at));
      due.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.clock.set(epochMs(end));
    await new Promise((r) => setImmediate(r));
  }
}

const harness = (
  answers: (Selection | Error)[],
  initial: Selection,
  capacity = 1000,
): {
  followed: SelectionChange[];
  storage: MemoryEventStorage;
  logger: MemoryLogger;
  metrics: MemoryMetrics;
  timers: ManualTimers;
  refresh: ReturnType<typeof startSelectionRefresh>;
  asked: () => number;
} => {
  const clock = new ManualClock(WED_0700_IST);
  const timers = new ManualTimers(clock);
  const storage = new MemoryEventStorage();
  const logger = new MemoryLogger();
  const metrics = new MemoryMetrics();
  const followed: SelectionChange[] = [];
  let asked = 0;
  const refresh = startSelectionRefresh(
    {
      source: {
        query: 'segment=NFO-OPT name=NIFTY expiry=nearest',
        select: () => {
          const answer = answers[Math.min(asked, answers.length - 1)];
          asked += 1;
          return answer instanceof Error || answer === undefined
            ? Promise.reject(answer ?? new Error('no answer'))
            : Promise.resolve(answer);
        },
      },
      follower: {
        follow: (change) => {
          followed.push(change);
          return true;
        },
      },
      log: new MemoryEventLog(SelectionEventC, storage),
      clock,
      session: makeMarketSession(),
      logger,
      metrics,
      schedule: timers.schedule,
    },
    { refreshAt: REFRESH_AT, retryMs: HOUR, capacity },
    initial,
  );
  return { followed, storage, logger, metrics, timers, refresh, asked: () => asked };
};

const thisWeek = [option(40001, 'NIFTY26D0821500CE'), option(40002, 'NIFTY26D0821500PE')];
const nextWeek = [option(40101, 'NIFTY26D1521500CE'), option(40102, 'NIFTY26D1521500PE')];

describe('the instrument selection, refreshed while running', () => {
  it('records the selection at start, follows a new expiry at the next refresh, and records the change', async () => {
    const h = harness(
      [{ masterDay: day('2026-12-02'), instruments: [thisWeek[1] as Instrument, ...nextWeek] }],
      { masterDay: day('2026-12-01'), instruments: thisWeek },
    );
    expect(h.metrics.value('instruments_selected')).toBe(2);
    // Nothing before 08:30 IST.
    await h.timers.advance(HOUR);
    expect(h.asked()).toBe(0);
    await h.timers.advance(HOUR);
    expect(h.asked()).toBe(1);
    expect(h.followed).toHaveLength(1);
    expect(h.followed[0]?.added.map((i) => i.token)).toEqual(['40101', '40102']);
    expect(h.followed[0]?.removed.map((i) => i.token)).toEqual(['40001']);
    expect(h.refresh.current().map((i) => i.token)).toEqual(['40002', '40101', '40102']);
    const events = (await new MemoryEventLog(SelectionEventC, h.storage).read(SELECTION_STREAM)).map(
      (e) => e.event,
    );
    expect(
      events.map((e) => [e.data.reason, e.data.addedCount, e.data.removedCount, e.data.selected]),
    ).toEqual([
      ['start', 2, 0, 2],
      ['daily-refresh', 2, 1, 3],
    ]);
    expect(events[1]?.data.removed).toEqual([
      { token: '40001', symbol: 'NIFTY26D0821500CE', exchange: 'NFO' },
    ]);
    expect(h.logger.lines()).toContain('[INFO] Instrument selection changed');
    expect(h.metrics.value('instrument_selection_changes_total')).toBe(1);
    await h.refresh.stop();
  });

  it('refreshes once per trading day: none on the weekend, the next on Monday', async () => {
    const h = harness([{ masterDay: day('2026-12-02'), instruments: thisWeek }], {
      masterDay: day('2026-12-01'),
      instruments: thisWeek,
    });
    await h.timers.advance(2 * HOUR); // Wed 09:00
    await h.timers.advance(24 * HOUR); // Thu 09:00
    await h.timers.advance(24 * HOUR); // Fri 09:00
    expect(h.asked()).toBe(3);
    await h.timers.advance(48 * HOUR); // Sun 09:00
    expect(h.asked()).toBe(3);
    await h.timers.advance(24 * HOUR); // Mon 09:00
    expect(h.asked()).toBe(4);
    // Unchanged: a line, no event.
    expect(h.followed).toEqual([]);
    expect(await new MemoryEventLog(SelectionEventC, h.storage).read(SELECTION_STREAM)).toHaveLength(1);
    expect(h.logger.lines()).toContain('[INFO] Instrument selection unchanged');
    await h.refresh.stop();
  });

  it('keeps what it follows when the master cannot be had, and tries again an hour later', async () => {
    const h = harness(
      [new Error('scriptmaster: HTTP 502'), { masterDay: day('2026-12-02'), instruments: nextWeek }],
      { masterDay: day('2026-12-01'), instruments: thisWeek },
    );
    await h.timers.advance(2 * HOUR);
    expect(h.asked()).toBe(1);
    expect(h.followed).toEqual([]);
    expect(h.refresh.current()).toEqual(thisWeek);
    expect(h.metrics.value('instrument_selection_failures_total')).toBe(1);
    expect(h.logger.records.find((r) => r.level === 'warn')?.fields).toMatchObject({
      error: 'scriptmaster: HTTP 502',
    });
    await h.timers.advance(HOUR);
    expect(h.asked()).toBe(2);
    expect(h.refresh.current()).toEqual(nextWeek);
    await h.refresh.stop();
  });

  it('refuses a selection larger than the feed can follow, keeping the current one', async () => {
    const many = Array.from({ length: 5 }, (_, k) => option(50000 + k, `OPT${k}`));
    const h = harness(
      [{ masterDay: day('2026-12-02'), instruments: many }],
      {
        masterDay: day('2026-12-01'),
        instruments: thisWeek,
      },
      4,
    );
    expect(await h.refresh.refresh('command')).toBeUndefined();
    expect(h.refresh.current()).toEqual(thisWeek);
    expect(h.logger.records.find((r) => r.level === 'error')?.fields).toMatchObject({
      selected: 5,
      capacity: 4,
    });
    await h.refresh.stop();
  });

  it('keeps what it follows when the query selects nothing on the new master (a segment missing that day)', async () => {
    const h = harness([{ masterDay: day('2026-12-02'), instruments: [] }], {
      masterDay: day('2026-12-01'),
      instruments: thisWeek,
    });
    expect(await h.refresh.refresh('command')).toBeUndefined();
    expect(h.followed).toEqual([]);
    expect(h.refresh.current()).toEqual(thisWeek);
    expect(h.metrics.value('instrument_selection_failures_total')).toBe(1);
    await h.refresh.stop();
  });

  it('keeps one exchange per token: the feed could not tell two apart', async () => {
    const h = harness(
      [{ masterDay: day('2026-12-02'), instruments: [option(500, 'ABC', 'NSE'), option(500, 'XYZ', 'BSE')] }],
      { masterDay: day('2026-12-01'), instruments: [] },
    );
    const change = await h.refresh.refresh('command');
    expect(change?.added).toEqual([option(500, 'ABC', 'NSE')]);
    expect(h.logger.records.find((r) => r.level === 'warn')?.fields).toMatchObject({
      collisions: 1,
      first: '500 NSE:ABC (dropped BSE:XYZ)',
    });
    await h.refresh.stop();
  });
});
