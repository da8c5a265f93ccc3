import { describe, expect, it } from 'vitest';
import { MemoryHistoricalData } from '../../../src/adapters/memory/memory-historical-data.ts';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { ScriptedBrokerFeed } from '../../../src/adapters/memory/scripted-broker-feed.ts';
import { systemClock } from '../../../src/adapters/system/system-clock.ts';
import type { Candle } from '../../../src/domain/candle.ts';
import { istInstant, istTime, parseIstDate } from '../../../src/domain/ist.ts';
import { instrumentToken, type InstrumentToken } from '../../../src/domain/instrument.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import { epochMs, MS_PER_MINUTE, rupees, type EpochMs } from '../../../src/domain/units.ts';
import type { FeedMessage } from '../../../src/ports/broker-feed.ts';
import { brokerFeedContract } from '../../contract/broker-feed.contract.ts';
import { historicalDataContract } from '../../contract/historical-data.contract.ts';

const TOKENS = ['26000', '2885', '11536', '1594'].map(instrumentToken);

const tick = (token: InstrumentToken, ltp: number, at: EpochMs): Tick => ({
  token,
  ltp: rupees(ltp),
  volume: 100,
  exchangeTime: at,
  receivedAt: at,
  source: 'live',
  seq: 0,
});

brokerFeedContract('scripted (in memory)', () => {
  const feed = new ScriptedBrokerFeed(systemClock);
  let n = 0;
  // A market that never sleeps: one frame with a tick of every token every 2 ms.
  const timer = setInterval(() => {
    n += 1;
    feed.emit(TOKENS.map((t) => tick(t, 100 + n, systemClock.now())));
  }, 2);
  return Promise.resolve({
    feed,
    tokens: TOKENS,
    mode: 'full',
    close: () => {
      clearInterval(timer);
      return Promise.resolve();
    },
  });
});

const at = (date: string, h: number, m: number): EpochMs => istInstant(parseIstDate(date)!, istTime(h, m));

/** One-minute bars 09:15–15:29 IST of a day, prices moving with the minute. */
const sessionBars = (token: InstrumentToken, date: string): Candle[] =>
  Array.from({ length: 375 }, (_, i) => {
    const base = 1000 + (i % 17);
    return {
      token,
      start: epochMs(at(date, 9, 15) + i * MS_PER_MINUTE),
      open: rupees(base),
      high: rupees(base + 2),
      low: rupees(base - 1),
      close: rupees(base + 1),
      volume: 10 + i,
    };
  });

const WEEK = ['2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06', '2025-03-07'];

historicalDataContract('in memory', () => {
  const [token, other] = TOKENS as [InstrumentToken, InstrumentToken];
  const bars = WEEK.flatMap((d) => sessionBars(token, d));
  // Added out of order, with duplicates and another token's bars: none may leak into answers.
  const data = new MemoryHistoricalData()
    .add('minute', [...bars].reverse())
    .add('minute', bars.slice(100, 900))
    .add('minute', sessionBars(other, '2025-03-04'));
  return Promise.resolve({
    data,
    request: {
      token,
      exchange: 'NSE',
      interval: 'minute',
      from: at('2025-03-03', 0, 0),
      to: at('2025-03-07', 23, 59),
    },
    emptyRequest: {
      token,
      exchange: 'NSE',
      interval: 'minute',
      from: at('2025-03-08', 0, 0),
      to: at('2025-03-09', 23, 59),
    },
    close: () => Promise.resolve(),
  });
});

describe('ScriptedBrokerFeed', () => {
  it('plays a lost connection as disconnected, connected with the next attempt, and the gap between', async () => {
    const clock = new ManualClock(epochMs(1_000_000));
    const feed = new ScriptedBrokerFeed(clock);
    const controller = new AbortController();
    const stream = feed.messages({ tokens: [TOKENS[0]!], mode: 'ltp' }, controller.signal);
    const iterator = stream[Symbol.asyncIterator]();
    const take = async (): Promise<FeedMessage> => {
      const next = await iterator.next();
      if (next.done === true) throw new Error('ended early');
      return next.value;
    };
    expect(await take()).toEqual({ kind: 'connected', at: 1_000_000, attempt: 1 });
    feed.disconnect('cable cut');
    clock.advance(5000);
    feed.emit([tick(TOKENS[0]!, 1, clock.now())]); // lost while down
    feed.reconnect();
    expect(await take()).toEqual({ kind: 'disconnected', at: 1_000_000, reason: 'cable cut' });
    expect(await take()).toEqual({ kind: 'connected', at: 1_005_000, attempt: 2 });
    expect(await take()).toEqual({
      kind: 'gap',
      gap: { tokens: [TOKENS[0]], from: 1_000_000, to: 1_005_000, cause: 'disconnect' },
    });
    controller.abort();
    expect((await iterator.next()).done).toBe(true);
    expect(feed.openStreams).toBe(0);
    expect(feed.subscriptions).toEqual([{ tokens: [TOKENS[0]], mode: 'ltp' }]);
  });
});

describe('MemoryHistoricalData', () => {
  it('records requests and fails the next ones with the queued errors', async () => {
    const token = TOKENS[1]!;
    const data = new MemoryHistoricalData().add('day', []).failNextWith(new Error('throttled'));
    const request = { token, exchange: 'NSE', interval: 'day', from: epochMs(0), to: epochMs(1) } as const;
    await expect(data.candles(request)).rejects.toThrow('throttled');
    expect(await data.candles(request)).toEqual([]);
    expect(data.requests).toEqual([request, request]);
  });
});
