import { describe, expect, it } from 'vitest';
import { decodeFrame, type DecodeOptions } from '../../../src/adapters/mstock/binary/decode-frame.ts';
import { TickSequencer } from '../../../src/domain/tick-sequencer.ts';
import { epochMs } from '../../../src/domain/units.ts';
import {
  FOUR_PACKET_FRAME,
  FULL_184_FRAME,
  FULL_200_FRAME,
  INDEX_28_FRAME,
  INDEX_32_FRAME,
  INDEX_48_FRAME,
  LTP_8_FRAME,
  QUOTE_44_FRAME,
} from './golden-frames.ts';
import { hex } from './hex.ts';

/** The frames are written by hand from the protocol document (golden-frames.ts says where). */
const IST: DecodeOptions = { tickTimeZone: 'ist', priceDivisor: 100 };
const UTC: DecodeOptions = { tickTimeZone: 'utc', priceDivisor: 100 };
const RECEIVED = epochMs(Date.parse('2024-01-01T03:45:00.250Z'));
const T_0915_IST = Date.parse('2024-01-01T03:45:00Z');
const T_0915_UTC = Date.parse('2024-01-01T09:15:00Z');

const decode = (bytes: Uint8Array, options = IST) =>
  decodeFrame(bytes, RECEIVED, new TickSequencer(), options);

const EXPECTED_DEPTH = {
  bids: [
    { quantity: 100, price: 3100.45, orders: 1 },
    { quantity: 200, price: 3100.4, orders: 2 },
    { quantity: 300, price: 3100.35, orders: 3 },
    { quantity: 400, price: 3100.3, orders: 4 },
    { quantity: 500, price: 3100.25, orders: 5 },
  ],
  asks: [
    { quantity: 200, price: 3100.55, orders: 10 },
    { quantity: 400, price: 3100.6, orders: 11 },
    { quantity: 600, price: 3100.65, orders: 12 },
    { quantity: 800, price: 3100.7, orders: 13 },
    { quantity: 1000, price: 3100.75, orders: 14 },
  ],
};

const EXPECTED_QUOTE = {
  token: '11536',
  ltp: 3100.5,
  lastTradedQuantity: 25,
  averagePrice: 3098.75,
  volume: 1234567,
  totalBuyQuantity: 50000,
  totalSellQuantity: 60000,
  open: 3080,
  high: 3110,
  low: 3075,
  close: 3070,
  receivedAt: RECEIVED,
  source: 'live',
  seq: 0,
};

describe('decodeFrame: golden equity packets', () => {
  it('reads an 8-byte ltp packet: token and price only, volume 0, no exchange time', () => {
    const r = decode(hex(LTP_8_FRAME));
    expect(r).toEqual({
      ticks: [{ token: '11536', ltp: 3100.5, volume: 0, receivedAt: RECEIVED, source: 'live', seq: 0 }],
      malformed: [],
      heartbeat: false,
    });
    expect(r.ticks[0]).not.toHaveProperty('exchangeTime');
  });

  it('reads a 44-byte quote packet', () => {
    const r = decode(hex(QUOTE_44_FRAME));
    expect(r.malformed).toEqual([]);
    expect(r.ticks).toEqual([EXPECTED_QUOTE]);
  });

  it('reads a 184-byte full packet with depth and both times (IST count)', () => {
    const r = decode(hex(FULL_184_FRAME));
    expect(r.malformed).toEqual([]);
    expect(r.ticks).toEqual([
      {
        ...EXPECTED_QUOTE,
        lastTradeTime: T_0915_IST - 2000,
        openInterest: 1000,
        openInterestDayHigh: 1500,
        openInterestDayLow: 900,
        exchangeTime: T_0915_IST,
        depth: EXPECTED_DEPTH,
      },
    ]);
  });

  it('reads the same times 5 h 30 min later when the count is UTC', () => {
    const [tick] = decode(hex(FULL_184_FRAME), UTC).ticks;
    expect(new Date(tick!.exchangeTime!).toISOString()).toBe('2024-01-01T09:15:00.000Z');
    expect(tick!.exchangeTime).toBe(T_0915_UTC);
    expect(tick!.lastTradeTime).toBe(T_0915_UTC - 2000);
  });

  it('reads a 200-byte packet: full plus circuit limits and 52-week range', () => {
    const r = decode(hex(FULL_200_FRAME));
    expect(r.malformed).toEqual([]);
    expect(r.ticks[0]).toMatchObject({
      token: '11536',
      ltp: 3100.5,
      exchangeTime: T_0915_IST,
      depth: EXPECTED_DEPTH,
      upperCircuit: 3410,
      lowerCircuit: 2763,
      yearHigh: 3650,
      yearLow: 2500.1,
    });
  });

  it('leaves out times sent as 0 and files the tick under its receive time', () => {
    const frame = FULL_184_FRAME.replace('52 c3 dc 92', '00 00 00 00').replace('52 c3 dc 94', '00 00 00 00');
    const [tick] = decode(hex(frame)).ticks;
    expect(tick).not.toHaveProperty('exchangeTime');
    expect(tick).not.toHaveProperty('lastTradeTime');
    expect(tick!.receivedAt).toBe(RECEIVED);
  });
});

describe('decodeFrame: golden index packets', () => {
  it('reads a 28-byte index packet with prices in paise and a negative change', () => {
    const r = decode(hex(INDEX_28_FRAME));
    expect(r).toEqual({
      ticks: [
        {
          token: '26000',
          ltp: 21500.5,
          volume: 0,
          high: 21550.25,
          low: 21400.1,
          open: 21490,
          close: 21350,
          change: -123.45,
          receivedAt: RECEIVED,
          source: 'live',
          seq: 0,
        },
      ],
      malformed: [],
      heartbeat: false,
    });
  });

  it('reads a 32-byte index packet with its exchange time', () => {
    const [tick] = decode(hex(INDEX_32_FRAME)).ticks;
    expect(tick).toMatchObject({ token: '26000', ltp: 21500.5, change: 123.45, exchangeTime: T_0915_IST });
  });

  it('reads a 48-byte index packet, taking high = max and low = min of the three', () => {
    const [tick] = decode(hex(INDEX_48_FRAME)).ticks;
    expect(tick).toEqual({
      token: '26000',
      ltp: 21500.5,
      volume: 0,
      high: 21550.25,
      low: 21400.1,
      open: 21490,
      close: 21350,
      lastTradeTime: T_0915_IST - 2000,
      exchangeTime: T_0915_IST,
      upperCircuit: 24609.28,
      lowerCircuit: 20000,
      yearHigh: 25600,
      yearLow: 17067.52,
      receivedAt: RECEIVED,
      source: 'live',
      seq: 0,
    });
  });
});

describe('decodeFrame: frames of several packets', () => {
  it('keeps frame order and numbers ticks of one token at one time 0, 1, ...', () => {
    const r = decode(hex(FOUR_PACKET_FRAME));
    expect(r.malformed).toEqual([]);
    expect(r.ticks.map((t) => [t.token, t.ltp, t.seq])).toEqual([
      ['11536', 3100.5, 0],
      ['2885', 10, 0],
      ['11536', 3100.55, 1],
      ['26000', 21500.5, 0],
    ]);
  });

  it('reads a frame at any offset inside a larger buffer', () => {
    const backing = hex('ff ff ff | 00 01 | 00 08 | 00 00 2d 10 | 00 04 bb 22 | ee ee');
    const r = decode(backing.subarray(3, 15));
    expect(r.malformed).toEqual([]);
    expect(r.ticks.map((t) => t.ltp)).toEqual([3100.5]);
  });

  it('divides prices by the configured divisor', () => {
    const r = decodeFrame(hex('00 01 | 00 08 | 00 00 2d 10 | 00 04 bb 22'), RECEIVED, new TickSequencer(), {
      tickTimeZone: 'ist',
      priceDivisor: 10_000,
    });
    expect(r.ticks[0]!.ltp).toBe(31.005);
  });
});
