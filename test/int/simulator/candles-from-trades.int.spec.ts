import { afterEach, describe, expect, it } from 'vitest';
import { makeMarketSession, type TradingDay } from '../../../src/domain/market-session.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import { MS_PER_MINUTE } from '../../../src/domain/units.ts';
import { makeCandleModel } from '../../../src/simulator/candle-model.ts';
import type { SimInstrument } from '../../../src/simulator/instrument-list.ts';
import { type RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { get, loginWithTotp, subscribedFeed, waitFor, type FeedProbe } from './sim-test-client.ts';

const NIFTY = 26000;
const RELIANCE = 2885;
const TCS = 11536;
const INSTRUMENTS: Readonly<Record<number, SimInstrument>> = {
  [NIFTY]: { token: NIFTY, symbol: 'NIFTY 50', exchange: 'NSE', kind: 'index' },
  [RELIANCE]: { token: RELIANCE, symbol: 'RELIANCE', exchange: 'NSE', kind: 'equity' },
  [TCS]: { token: TCS, symbol: 'TCS', exchange: 'NSE', kind: 'equity' },
};
const THURSDAY = '2025-11-20' as TradingDay;
const ist = (time: string, date: string = THURSDAY): number => Date.parse(`${date}T${time}+05:30`);

/** A bar as the candle rows give it (rupees), or as a client builds it from ticks. */
interface Bar {
  readonly start: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

let sim: RunningSimulator | undefined;
const probes: FeedProbe[] = [];
afterEach(async () => {
  for (const p of probes.splice(0)) p.close();
  await sim?.close();
  sim = undefined;
});

/** The simulator on a clock the test moves by hand: it starts at 10:00:20 IST on a Thursday. */
const start = async () => {
  const clock = { now: ist('10:00:20') };
  sim = await startSimulator({
    clock: () => clock.now,
    rate: 0,
    heartbeatIntervalMs: 0,
    historicalRatePerSecond: 0,
    candleOffsetFormat: '+05:30',
  });
  const s = sim;
  const token = await loginWithTotp(s);
  const feed = async (tokens: readonly number[]) => {
    const p = await subscribedFeed(s, token, tokens, 'full');
    probes.push(p);
    return p;
  };
  /** Ticks at each of these market times; resolves once the client has every packet sent. */
  const trade = async (p: FeedProbe, times: readonly number[], count = 200) => {
    for (const t of times) {
      clock.now = t;
      s.emitTicks(count);
    }
    await waitFor('every packet', () => p.ticks().length === s.stats().totals.packetsSent);
  };
  return { s, token, clock, feed, trade };
};

const rowsOf = (json: unknown): Bar[] =>
  (json as { data: { candles: [string, number, number, number, number, number][] } }).data.candles.map(
    ([time, open, high, low, close, volume]) => ({ start: Date.parse(time), open, high, low, close, volume }),
  );

const candles = async (
  s: RunningSimulator,
  token: string,
  instrument: number,
  from: string,
  to: string,
  interval = 'minute',
): Promise<Bar[]> => {
  const r = await get(s, `instruments/historical/NSE/${instrument}/${interval}?from=${from}&to=${to}`, token);
  expect(r.status).toBe(200);
  return rowsOf(r.json);
};

/** What a client builds from the feed: OHLC of the ltp, volume the sum of last traded quantities. */
const barsFromTicks = (ticks: readonly Tick[], instrument: number): Bar[] => {
  const bars = new Map<number, Bar>();
  for (const t of ticks) {
    if (t.token !== String(instrument) || t.exchangeTime === undefined) continue;
    const start = Math.floor(t.exchangeTime / MS_PER_MINUTE) * MS_PER_MINUTE;
    const b = bars.get(start);
    const quantity = t.lastTradedQuantity ?? 0;
    bars.set(
      start,
      b === undefined
        ? { start, open: t.ltp, high: t.ltp, low: t.ltp, close: t.ltp, volume: quantity }
        : {
            ...b,
            high: Math.max(b.high, t.ltp),
            low: Math.min(b.low, t.ltp),
            close: t.ltp,
            volume: b.volume + quantity,
          },
    );
  }
  return [...bars.values()].sort((a, b) => a.start - b.start);
};

/** The generated minute bars (as today, before the tape) in rupees. */
const generatedBars = (s: RunningSimulator, instrument: number, day: TradingDay): Bar[] =>
  makeCandleModel(s.options.seed, makeMarketSession())
    .minuteBars(INSTRUMENTS[instrument]!, day)
    .map((b) => ({ ...b, open: b.open / 100, high: b.high / 100, low: b.low / 100, close: b.close / 100 }));

const merge = (group: readonly Bar[], start: number): Bar => ({
  start,
  open: group[0]!.open,
  high: Math.max(...group.map((b) => b.high)),
  low: Math.min(...group.map((b) => b.low)),
  close: group.at(-1)!.close,
  volume: group.reduce((sum, b) => sum + b.volume, 0),
});

describe('simulator candles from the trades it streamed', () => {
  it('serves, after the start minute, the minute bars a client builds from the feed; before, the generated ones', async () => {
    const { s, token, feed, trade } = await start();
    const p = await feed([NIFTY, RELIANCE, TCS]);
    // Trades in the start minute and in 10:01–10:06, none at all in 10:04; 10:07 has not ended.
    const minutes = ['10:00:30', '10:01', '10:02', '10:03', '10:05', '10:06'];
    await trade(
      p,
      minutes.flatMap((m) => (m.length > 5 ? [ist(m)] : [5, 25, 45].map((sec) => ist(`${m}:${sec}`)))),
    );
    await trade(p, [ist('10:07:10')]);

    for (const instrument of [NIFTY, RELIANCE, TCS]) {
      const fromFeed = barsFromTicks(p.ticks(), instrument);
      const taped = fromFeed.filter((b) => b.start >= ist('10:01:00') && b.start < ist('10:07:00'));
      expect(taped.map((b) => b.start)).toEqual(
        ['10:01', '10:02', '10:03', '10:05', '10:06'].map((m) => ist(`${m}:00`)),
      );
      const generated = generatedBars(s, instrument, THURSDAY).filter((b) => b.start <= ist('10:00:00'));
      expect(generated).toHaveLength(46);
      const served = await candles(s, token, instrument, '2025-11-20+09:15:00', '2025-11-20+10:10:00');
      expect(served).toEqual([...generated, ...taped]);
      if (instrument === NIFTY) expect(served.slice(46).every((b) => b.volume === 0)).toBe(true);
      else expect(served.slice(46).every((b) => b.volume > 0)).toBe(true);

      const intraday = await get(s, `instruments/intraday/1/${instrument}/minute`, token);
      expect(rowsOf(intraday.json)).toEqual(served);

      // 5-minute bars aligned to 09:15: the 10:00 window holds the generated 10:00 and the tape's
      // 10:01–10:03; the 10:05 window has not ended.
      const fives = await candles(
        s,
        token,
        instrument,
        '2025-11-20+09:50:00',
        '2025-11-20+10:10:00',
        '5minute',
      );
      expect(fives).toEqual([
        merge(
          served.filter((b) => b.start >= ist('09:50:00') && b.start < ist('09:55:00')),
          ist('09:50:00'),
        ),
        merge(
          served.filter((b) => b.start >= ist('09:55:00') && b.start < ist('10:00:00')),
          ist('09:55:00'),
        ),
        merge(
          served.filter((b) => b.start >= ist('10:00:00') && b.start < ist('10:05:00')),
          ist('10:00:00'),
        ),
      ]);
    }
  });

  it('serves the day bar once the session has closed, from the generated minutes and the tape', async () => {
    const { s, token, clock, feed, trade } = await start();
    const p = await feed([RELIANCE]);
    await trade(p, [ist('10:01:10'), ist('11:30:00'), ist('15:29:50')]);
    const noDayBarYet = await candles(s, token, RELIANCE, '2025-11-20', '2025-11-20', 'day');
    expect(noDayBarYet).toEqual([]);
    clock.now = ist('15:31:00');
    const [day, ...more] = await candles(s, token, RELIANCE, '2025-11-20', '2025-11-20', 'day');
    expect(more).toEqual([]);
    const generated = generatedBars(s, RELIANCE, THURSDAY).filter((b) => b.start <= ist('10:00:00'));
    expect(day).toEqual(merge([...generated, ...barsFromTicks(p.ticks(), RELIANCE)], ist('00:00:00')));
    expect(day?.close).toBe(s.stats().tokens[String(RELIANCE)]!.ltp);
  });

  it("keeps a dropped token's trades in its candles, and the other tokens' bars equal to the feed's", async () => {
    const { s, token, clock, feed, trade } = await start();
    const p = await feed([RELIANCE, TCS]);
    await trade(p, [ist('10:01:10'), ist('10:01:40')]);
    const before = s.stats().tokens[String(RELIANCE)]!;
    s.faults.dropTokenPackets(RELIANCE, 1);
    await trade(p, [ist('10:02:10'), ist('10:02:40')]);
    const after = s.stats().tokens[String(RELIANCE)]!;
    expect(after.dropped).toBeGreaterThan(0);
    expect(after.ticks).toBeGreaterThan(before.ticks);

    clock.now = ist('10:03:00');
    const reliance = barsFromTicks(p.ticks(), RELIANCE);
    expect(reliance.map((b) => b.start)).toEqual([ist('10:01:00')]); // the client saw none in 10:02
    const served = await candles(s, token, RELIANCE, '2025-11-20+10:01:00', '2025-11-20+10:02:00');
    expect(served[0]).toEqual(reliance[0]);
    expect(served[1]).toMatchObject({
      start: ist('10:02:00'),
      close: after.ltp,
      volume: after.volume - before.volume,
    });
    expect(served).toHaveLength(2);

    const tcs = await candles(s, token, TCS, '2025-11-20+10:01:00', '2025-11-20+10:02:00');
    expect(tcs).toEqual(barsFromTicks(p.ticks(), TCS));
    expect(tcs).toHaveLength(2);
  });

  it('does not tape an out-of-band price: it was never traded', async () => {
    const { s, token, clock, feed, trade } = await start();
    const p = await feed([RELIANCE]);
    s.faults.emitOutOfBand(RELIANCE, 3);
    await trade(p, [ist('10:01:10')], 400);
    const { upperCircuit, lowerCircuit } = s.stats().tokens[String(RELIANCE)]!;
    const ticks = p.ticks();
    expect(ticks.filter((t) => t.ltp > upperCircuit)).toHaveLength(3);
    clock.now = ist('10:02:00');
    const [bar] = await candles(s, token, RELIANCE, '2025-11-20+10:01:00', '2025-11-20+10:01:00');
    expect(bar!.high).toBeLessThanOrEqual(upperCircuit);
    expect(bar!.low).toBeGreaterThanOrEqual(lowerCircuit);
    // The bad packets still carried the trades' real quantities.
    expect(bar!.volume).toBe(barsFromTicks(ticks, RELIANCE)[0]!.volume);
  });

  it('follows the clock to the next day: only the tape, no generated bar, after the start', async () => {
    const { s, clock, feed, trade } = await start();
    const p = await feed([RELIANCE]);
    await trade(p, [ist('09:20:10', '2025-11-21'), ist('09:21:30', '2025-11-21')]);
    clock.now = ist('09:25:00', '2025-11-21');
    const token = await loginWithTotp(s); // the first session ended at midnight
    const friday = await candles(s, token, RELIANCE, '2025-11-21', '2025-11-21');
    expect(friday).toEqual(barsFromTicks(p.ticks(), RELIANCE));
    expect(friday.map((b) => b.start)).toEqual([
      ist('09:20:00', '2025-11-21'),
      ist('09:21:00', '2025-11-21'),
    ]);
    // Thursday after 10:00 had no trade: its bars end with the generated 10:00.
    const thursday = await candles(s, token, RELIANCE, '2025-11-20', '2025-11-20');
    expect(thursday).toEqual(generatedBars(s, RELIANCE, THURSDAY).filter((b) => b.start <= ist('10:00:00')));
  });
});

describe('simulator short-candles fault', () => {
  it('leaves out the last bar of the next N replies that hold bars, then stops', async () => {
    const { s, token } = await start();
    s.faults.shortCandles(2);
    expect(s.faults.active().shortCandles).toBe(2);
    expect(await candles(s, token, RELIANCE, '2025-11-19', '2025-11-19')).toHaveLength(374);
    // A reply without bars (a Saturday) loses nothing and does not count.
    expect(await candles(s, token, RELIANCE, '2025-11-22', '2025-11-22')).toEqual([]);
    expect(s.stats().faults.shortCandles).toBe(1);
    const intraday = await get(s, `instruments/intraday/1/${RELIANCE}/minute`, token);
    expect(rowsOf(intraday.json)).toEqual(
      generatedBars(s, RELIANCE, THURSDAY).filter((b) => b.start < ist('09:59:00')),
    );
    expect(s.faults.active().shortCandles).toBe(0);
    const full = await candles(s, token, RELIANCE, '2025-11-19', '2025-11-19');
    expect(full).toEqual(generatedBars(s, RELIANCE, '2025-11-19' as TradingDay));
    expect(
      s
        .stats()
        .rest.requests.filter((r) => r.route !== 'connect/login' && r.route !== 'session/verifytotp')
        .map((r) => r.bars),
    ).toEqual([374, 0, 44, 375]);
  });

  it('is set over HTTP, listed with the faults, and ended by clear', async () => {
    const { s, token } = await start();
    const post = async (body: unknown) => {
      const r = await fetch(`${s.url}/sim/faults`, { method: 'POST', body: JSON.stringify(body) });
      return { status: r.status, json: (await r.json()) as { faults?: { shortCandles?: number } } };
    };
    const set = await post({ fault: 'short-candles', count: 3 });
    expect(set.status).toBe(200);
    expect(set.json.faults?.shortCandles).toBe(3);
    expect(await candles(s, token, RELIANCE, '2025-11-19', '2025-11-19')).toHaveLength(374);
    const listed = (await (await fetch(`${s.url}/sim/faults`)).json()) as { shortCandles: number };
    expect(listed.shortCandles).toBe(2);
    expect((await post({ fault: 'clear' })).json.faults?.shortCandles).toBe(0);
    expect(await candles(s, token, RELIANCE, '2025-11-19', '2025-11-19')).toHaveLength(375);
    expect((await post({ fault: 'short-candles', count: 0 })).status).toBe(400);
    expect((await post({ fault: 'short-candles' })).status).toBe(400);
  });
});
