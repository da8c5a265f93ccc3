import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryHistoricalData } from '../../../src/adapters/memory/memory-historical-data.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { MemoryRecordPublisher } from '../../../src/adapters/memory/memory-record-publisher.ts';
import { BarBuilder } from '../../../src/app/trust/bar-builder.ts';
import { ReconcileStage, ReconciliationReportStage } from '../../../src/app/live/bar-stages.ts';
import type { LiveMessage } from '../../../src/app/live/live-message.ts';
import { runStage } from '../../../src/app/live/stage-chain.ts';
import { ReconciliationReporter } from '../../../src/app/trust/reconciliation-reporter.ts';
import { Reconciler } from '../../../src/app/trust/reconciler.ts';
import { ReconciliationEventC } from '../../../src/ports/event-log/streams/reconciliation-event-codec.ts';
import { MemoryEventLog } from '../../../src/adapters/memory/memory-event-log.ts';
import type { Candle } from '../../../src/domain/candle.ts';
import type { InstrumentToken } from '../../../src/domain/instrument.ts';
import type { TradingDay } from '../../../src/domain/market-session.ts';
import { addTick, type MinuteBar } from '../../../src/domain/minute-bars.ts';
import { reconcileBars, withoutGaps } from '../../../src/domain/reconciliation.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import { MS_PER_MINUTE, epochMs, rupees } from '../../../src/domain/units.ts';
import { RELIANCE, TCS, ist, nse, tick } from './trust-fixtures.ts';

const OPEN = ist('2026-11-19 09:15:00');
const MINUTES = 10;

/** A deterministic session: one tick a second per token, a seeded walk, from a pre-open tick on. */
const session = (token: InstrumentToken, seed: number): Tick[] => {
  let x = seed;
  const next = (): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  let price = 1000;
  let volume = 5000;
  const out: Tick[] = [
    tick(epochMs(OPEN - 1000), { token, ltp: rupees(price), volume, exchangeTime: epochMs(OPEN - 1000) }),
  ];
  for (let s = 0; s < MINUTES * 60; s++) {
    price = Math.round((price + (next() - 0.5) * 4) * 20) / 20;
    volume += 1 + Math.floor(next() * 50);
    const at = epochMs(OPEN + s * 1000 + 200);
    out.push(tick(at, { token, ltp: rupees(price), volume, exchangeTime: at, seq: s }));
  }
  return out;
};

/** The broker's candles: computed the plain way, from every tick. */
const officialCandles = (ticks: readonly Tick[]): Candle[] => {
  const candles: Candle[] = [];
  let before = ticks[0]?.volume ?? 0;
  for (let m = 0; m < MINUTES; m++) {
    const start = OPEN + m * MS_PER_MINUTE;
    const inMinute = ticks.filter(
      (t) => (t.exchangeTime ?? 0) >= start && (t.exchangeTime ?? 0) < start + MS_PER_MINUTE,
    );
    const prices = inMinute.map((t) => t.ltp);
    const last = inMinute.at(-1)?.volume ?? before;
    candles.push({
      token: inMinute[0]!.token,
      start: epochMs(start),
      open: prices[0]!,
      high: rupees(Math.max(...prices)),
      low: rupees(Math.min(...prices)),
      close: prices.at(-1)!,
      volume: last - before,
    });
    before = last;
  }
  return candles;
};

const build = (ticks: readonly Tick[]) => {
  const publisher = new MemoryRecordPublisher();
  const clock = new ManualClock(OPEN);
  const builder = new BarBuilder(
    { publisher, session: nse, clock, logger: new MemoryLogger(), metrics: new MemoryMetrics() },
    { graceMs: 2000 },
  );
  for (const t of ticks) builder.observe({ kind: 'ticks', ticks: [t], receivedAt: t.receivedAt });
  clock.set(epochMs(OPEN + MINUTES * MS_PER_MINUTE + 5000));
  builder.flush();
  return { builder, publisher };
};

describe('minute bars from live ticks', () => {
  it('match the broker’s candles exactly when no tick is lost, and go to the candle topic', () => {
    const ticks = session(RELIANCE, 7);
    const { builder, publisher } = build(ticks);
    const bars = builder.barsByToken().get(RELIANCE) ?? [];
    expect(bars).toHaveLength(MINUTES);
    expect(bars.every((b) => b.complete)).toBe(true);
    expect(bars.map(({ ticks: _t, complete: _c, ...candle }) => candle)).toEqual(officialCandles(ticks));
    expect(publisher.records).toHaveLength(MINUTES);
    expect(publisher.records.every((r) => r.key === RELIANCE)).toBe(true);
  });

  it('a tick older than the bar being built is left out; the first bar without a base is not complete', () => {
    const a = addTick(undefined, tick(epochMs(OPEN + 61_000), { exchangeTime: epochMs(OPEN + 61_000) }), nse);
    expect(a.state.building?.baseVolume).toBeUndefined();
    const late = addTick(
      a.state,
      tick(epochMs(OPEN + 1000), { exchangeTime: epochMs(OPEN + 1000), ltp: rupees(1) }),
      nse,
    );
    expect(late.state).toBe(a.state);
    const next = addTick(
      a.state,
      tick(epochMs(OPEN + 121_000), { exchangeTime: epochMs(OPEN + 121_000) }),
      nse,
    );
    expect(next.done).toMatchObject({ start: OPEN + 60_000, complete: false });
  });
});

describe('reconciliation', () => {
  it('dropping 2% of one instrument’s packets shows up for that instrument and no other', async () => {
    const reliance = session(RELIANCE, 7);
    const tcs = session(TCS, 11);
    const dropped = tcs.filter((_, i) => i === 0 || i % 50 !== 0);
    const { builder } = build([...reliance, ...dropped].sort((x, y) => x.receivedAt - y.receivedAt));
    const historical = new MemoryHistoricalData()
      .add('minute', officialCandles(reliance))
      .add('minute', officialCandles(tcs));
    const metrics = new MemoryMetrics();
    const log = new MemoryEventLog(ReconciliationEventC);
    const clock = new ManualClock(ist('2026-11-19 16:15:00'));
    const logger = new MemoryLogger();
    const reconciler = new Reconciler(
      { historical, bars: () => builder.barsByToken(), session: nse, clock, logger, exchangeOf: () => 'NSE' },
      { tokens: [RELIANCE, TCS], priceTolerance: 0.001 },
    );
    // The reports travel as a message to the stage that reports them.
    const reporting = new ReconciliationReportStage(
      new ReconciliationReporter({ metrics, logger, clock, log }),
      logger,
    );
    // Connected before the open, through the session: every minute is judged.
    reconciler.observe({ kind: 'connected', at: epochMs(OPEN - 60_000), attempt: 1 });
    const reports = await reconciler.reconcileDay('2026-11-19' as TradingDay);
    await runStage(reporting, [{ kind: 'reconciled', day: '2026-11-19' as TradingDay, reports }]);
    await reporting.settled();
    const [r, t] = reports;
    expect(r?.differences).toEqual([]);
    expect(t?.differences.length).toBeGreaterThan(0);
    expect(metrics.value('reconciliation_ohlc_mismatches', { token: RELIANCE })).toBe(0);
    expect(metrics.value('reconciliation_volume_delta', { token: RELIANCE })).toBe(0);
    expect(
      (metrics.value('reconciliation_ohlc_mismatches', { token: TCS }) ?? 0) +
        (metrics.value('reconciliation_volume_delta', { token: TCS }) ?? 0),
    ).toBeGreaterThan(0);
    // On record: the differing instrument with its differences, then the session's summary.
    const events = (await log.read('reconciliation')).map((e) => e.event);
    expect(events.map((e) => [e.type, e.type === 'BarsDiffered' ? e.data.token : e.data.differing])).toEqual([
      ['BarsDiffered', TCS],
      ['SessionReconciled', [TCS]],
    ]);
    const tcsEvent = events[0];
    expect(tcsEvent?.type === 'BarsDiffered' && tcsEvent.data.differences).toEqual(t?.differences);
    expect(historical.requests.map((q) => [q.token, q.from, q.to])).toEqual([
      [RELIANCE, ist('2026-11-19 09:15:00'), ist('2026-11-19 15:29:00')],
      [TCS, ist('2026-11-19 09:15:00'), ist('2026-11-19 15:29:00')],
    ]);
  });

  it('a minute the broker traded with no live bar is missing; a live bar the broker lacks is reported too', () => {
    const ticks = session(RELIANCE, 3);
    const candles = officialCandles(ticks);
    const { builder } = build(
      ticks.filter(
        (t) =>
          (t.exchangeTime ?? 0) < OPEN + 3 * MS_PER_MINUTE ||
          (t.exchangeTime ?? 0) >= OPEN + 4 * MS_PER_MINUTE,
      ),
    );
    const bars = builder.barsByToken().get(RELIANCE) ?? [];
    const report = reconcileBars(
      RELIANCE,
      bars,
      candles.filter((c) => c.start !== OPEN + 9 * MS_PER_MINUTE),
      0.001,
    );
    expect(report.missingLive).toBe(1);
    expect(report.differences[0]).toMatchObject({ kind: 'missing-live', minute: OPEN + 3 * MS_PER_MINUTE });
    expect(report.missingBroker).toBe(1);
  });
});

describe('reconciliation over the minutes the feed watched', () => {
  it('judges only minutes the feed was connected for whole: not the one it joined, nor those it missed', () => {
    const ticks = session(RELIANCE, 3);
    const candles = officialCandles(ticks);
    // Connected at 09:16:30, dropped 09:19:10 to 09:20:40: the live bars lack those stretches.
    const seen = ticks.filter((t) => {
      const at = t.exchangeTime ?? 0;
      return at >= OPEN + 90_000 && !(at >= OPEN + 250_000 && at < OPEN + 340_000);
    });
    const bars = build(seen).builder.barsByToken().get(RELIANCE) ?? [];
    const spans = [
      { from: epochMs(OPEN + 90_000), to: epochMs(OPEN + 250_000) },
      { from: epochMs(OPEN + 340_000), to: epochMs(OPEN + MINUTES * MS_PER_MINUTE) },
    ];
    expect(reconcileBars(RELIANCE, bars, candles, 0.001, spans).differences).toEqual([]);
    // Judged over every minute, the same bars differ: the minutes joined or missed midway.
    const all = reconcileBars(RELIANCE, bars, candles, 0.001, 'all');
    expect(new Set(all.differences.map((d) => (d.minute - OPEN) / MS_PER_MINUTE))).toEqual(
      new Set([0, 1, 4, 5]),
    );
  });
});

describe('reconciliation leaves announced gaps alone', () => {
  it('cuts gaps out of the watched spans', () => {
    const at = (m: number) => epochMs(OPEN + m * MS_PER_MINUTE);
    expect(withoutGaps([{ from: at(0), to: at(10) }], [{ from: at(2), to: at(4) }])).toEqual([
      { from: at(0), to: at(2) },
      { from: at(4), to: at(10) },
    ]);
    expect(withoutGaps([{ from: at(0), to: at(10) }], [{ from: at(-5), to: at(20) }])).toEqual([]);
    expect(withoutGaps([{ from: at(0), to: at(3) }], [{ from: at(5), to: at(6) }])).toEqual([
      { from: at(0), to: at(3) },
    ]);
  });

  it('a silence already on record as a gap is not reported again; only that token’s minutes are spared', async () => {
    const reliance = session(RELIANCE, 7);
    // RELIANCE silent 09:17:00–09:19:00: on record as a gap; its bars there are missing.
    const silentFrom = OPEN + 2 * MS_PER_MINUTE;
    const silentTo = OPEN + 4 * MS_PER_MINUTE;
    const heard = reliance.filter(
      (t) => (t.exchangeTime ?? 0) < silentFrom || (t.exchangeTime ?? 0) >= silentTo,
    );
    const { builder } = build(heard);
    const historical = new MemoryHistoricalData().add('minute', officialCandles(reliance));
    const reconciler = new Reconciler(
      {
        historical,
        bars: () => builder.barsByToken(),
        session: nse,
        clock: new ManualClock(ist('2026-11-19 16:15:00')),
        logger: new MemoryLogger(),
        exchangeOf: () => 'NSE',
      },
      { tokens: [RELIANCE], priceTolerance: 0.001 },
    );
    reconciler.observe({ kind: 'connected', at: epochMs(OPEN - 60_000), attempt: 1 });
    const [unannounced] = await reconciler.reconcileDay('2026-11-19' as TradingDay);
    expect(unannounced?.missingLive).toBe(2);

    reconciler.noteGap({
      tokens: [TCS],
      from: epochMs(silentFrom),
      to: epochMs(silentTo),
      cause: 'silent-instrument',
    });
    expect((await reconciler.reconcileDay('2026-11-19' as TradingDay))[0]?.missingLive).toBe(2);
    reconciler.observe({
      kind: 'gap',
      gap: {
        tokens: [RELIANCE],
        from: epochMs(silentFrom),
        to: epochMs(silentTo),
        cause: 'silent-instrument',
      },
    });
    const [announced] = await reconciler.reconcileDay('2026-11-19' as TradingDay);
    expect(announced?.missingLive).toBe(0);
    // Nor the minute after it, whose live volume counts from the last tick before the silence.
    expect(announced?.differences).toEqual([]);
  });
});

describe('Reconciler.check', () => {
  it('reconciles once, when the day’s bars are final, and skips a day the service saw no bar of', async () => {
    const clock = new ManualClock(ist('2026-11-19 16:14:59'));
    const historical = new MemoryHistoricalData();
    let bars = new Map<string, readonly MinuteBar[]>();
    const logger = new MemoryLogger();
    const reconciler = new Reconciler(
      {
        historical,
        bars: () => bars,
        session: nse,
        clock,
        logger,
        exchangeOf: () => 'NSE',
      },
      { tokens: [RELIANCE], priceTolerance: 0.001 },
    );
    reconciler.check();
    clock.set(ist('2026-11-19 16:15:00'));
    reconciler.check();
    expect(logger.records.some((r) => r.message.includes('nothing to reconcile'))).toBe(true);
    expect(historical.requests).toEqual([]);

    const { builder } = build(session(RELIANCE, 5));
    bars = new Map(builder.barsByToken());
    clock.set(ist('2026-11-20 16:15:00'));
    reconciler.check();
    expect(historical.requests).toEqual([]); // the bars are of the 19th, not the 20th

    const again = new Reconciler(
      {
        historical,
        bars: () => bars,
        session: nse,
        clock: new ManualClock(ist('2026-11-19 17:00:00')),
        logger,
        exchangeOf: () => 'NSE',
      },
      { tokens: [RELIANCE], priceTolerance: 0.001 },
    );
    again.check();
    again.check();
    await again.close();
    expect(historical.requests).toHaveLength(1);
  });
});

describe('the reconcile stage', () => {
  it('on the beat after the bars are final, passes the reports on down the path as a reconciled message', async () => {
    const ticks = session(RELIANCE, 5);
    const { builder } = build(ticks);
    const historical = new MemoryHistoricalData().add('minute', officialCandles(ticks));
    const deps = {
      historical,
      bars: () => builder.barsByToken(),
      session: nse,
      exchangeOf: () => 'NSE' as const,
    };
    const evening = new ManualClock(ist('2026-11-19 17:00:00'));
    const reconciler = new Reconciler(
      { ...deps, clock: evening, logger: new MemoryLogger() },
      {
        tokens: [RELIANCE],
        priceTolerance: 0.001,
      },
    );
    reconciler.observe({ kind: 'connected', at: epochMs(OPEN - 60_000), attempt: 1 });
    const out: LiveMessage[] = [];
    const entry = new ReconcileStage(reconciler).connect((m) => {
      out.push(m);
    });
    await entry({ kind: 'beat', at: ist('2026-11-19 17:00:00') });
    for (let i = 0; i < 100 && out.length < 2; i++) await new Promise((r) => setImmediate(r));
    expect(out.map((m) => m.kind)).toEqual(['beat', 'reconciled']);
    const reconciled = out[1];
    expect(reconciled?.kind === 'reconciled' && reconciled.day).toBe('2026-11-19');
    expect(
      reconciled?.kind === 'reconciled' && reconciled.reports.map((r) => [r.token, r.differences]),
    ).toEqual([[RELIANCE, []]]);
  });
});
