import { describe, expect, it } from 'vitest';
import { decodeFrame, type DecodeOptions } from '../../../src/adapters/mstock/binary/decode-frame.ts';
import { TickSequencer } from '../../../src/domain/tick-sequencer.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { hex } from './hex.ts';

/**
 * Golden frames written out byte by byte, so these tests do not merely mirror the encoder. Times
 * used below: 0x52c3dc94 = 1388567700 s since 1980, which is 2024-01-01 09:15:00 when the count is
 * IST wall-clock, and 2024-01-01 09:15:00 UTC when it is UTC.
 */
const IST: DecodeOptions = { tickTimeZone: 'ist', priceDivisor: 100 };
const UTC: DecodeOptions = { tickTimeZone: 'utc', priceDivisor: 100 };
const RECEIVED = epochMs(Date.parse('2024-01-01T03:45:00.250Z'));
const T_0915_IST = Date.parse('2024-01-01T03:45:00Z');
const T_0915_UTC = Date.parse('2024-01-01T09:15:00Z');

const decode = (bytes: Uint8Array, options = IST) =>
  decodeFrame(bytes, RECEIVED, new TickSequencer(), options);

const FULL_184_BODY = `
  00 00 2d 10   # token 11536 (TCS)
  00 04 bb 22   # ltp 310050 paise
  00 00 00 19   # last traded quantity 25
  00 04 ba 73   # average price 309875
  00 12 d6 87   # volume 1234567
  00 00 c3 50   # total buy quantity 50000
  00 00 ea 60   # total sell quantity 60000
  00 04 b3 20   # open 308000
  00 04 be d8   # high 311000
  00 04 b1 2c   # low 307500
  00 04 af 38   # previous close 307000
  52 c3 dc 92   # last traded time: 09:14:58
  00 00 03 e8   # open interest 1000
  00 00 05 dc   # OI day high 1500
  00 00 03 84   # OI day low 900
  52 c3 dc 94   # exchange time: 09:15:00
  00 00 00 64 | 00 04 bb 1d | 00 01 00 00   # bid 1: 100 @ 3100.45, 1 order
  00 00 00 c8 | 00 04 bb 18 | 00 02 00 00
  00 00 01 2c | 00 04 bb 13 | 00 03 00 00
  00 00 01 90 | 00 04 bb 0e | 00 04 00 00
  00 00 01 f4 | 00 04 bb 09 | 00 05 00 00   # bid 5: 500 @ 3100.25, 5 orders
  00 00 00 c8 | 00 04 bb 27 | 00 0a 00 00   # ask 1: 200 @ 3100.55, 10 orders
  00 00 01 90 | 00 04 bb 2c | 00 0b 00 00
  00 00 02 58 | 00 04 bb 31 | 00 0c 00 00
  00 00 03 20 | 00 04 bb 36 | 00 0d 00 00
  00 00 03 e8 | 00 04 bb 3b | 00 0e 00 00   # ask 5: 1000 @ 3100.75, 14 orders
`;

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
    const r = decode(hex('00 01 | 00 08 | 00 00 2d 10 | 00 04 bb 22'));
    expect(r).toEqual({
      ticks: [{ token: '11536', ltp: 3100.5, volume: 0, receivedAt: RECEIVED, source: 'live', seq: 0 }],
      malformed: [],
      heartbeat: false,
    });
    expect(r.ticks[0]).not.toHaveProperty('exchangeTime');
  });

  it('reads a 44-byte quote packet', () => {
    const r = decode(hex(`00 01 | 00 2c | ${FULL_184_BODY.split('\n').slice(1, 12).join('\n')}`));
    expect(r.malformed).toEqual([]);
    expect(r.ticks).toEqual([EXPECTED_QUOTE]);
  });

  it('reads a 184-byte full packet with depth and both times (IST count)', () => {
    const r = decode(hex(`00 01 | 00 b8 | ${FULL_184_BODY}`));
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
    const [tick] = decode(hex(`00 01 | 00 b8 | ${FULL_184_BODY}`), UTC).ticks;
    expect(new Date(tick!.exchangeTime!).toISOString()).toBe('2024-01-01T09:15:00.000Z');
    expect(tick!.exchangeTime).toBe(T_0915_UTC);
    expect(tick!.lastTradeTime).toBe(T_0915_UTC - 2000);
  });

  it('reads a 200-byte packet: full plus circuit limits and 52-week range', () => {
    const r = decode(
      hex(`00 01 | 00 c8 | ${FULL_184_BODY}
        00 05 34 08   # upper circuit 341000
        00 04 37 4c   # lower circuit 276300
        00 05 91 c8   # 52-week high 365000
        00 03 d0 9a   # 52-week low 250010
      `),
    );
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
    const body = FULL_184_BODY.replace('52 c3 dc 92', '00 00 00 00').replace('52 c3 dc 94', '00 00 00 00');
    const [tick] = decode(hex(`00 01 | 00 b8 | ${body}`)).ticks;
    expect(tick).not.toHaveProperty('exchangeTime');
    expect(tick).not.toHaveProperty('lastTradeTime');
    expect(tick!.receivedAt).toBe(RECEIVED);
  });
});

describe('decodeFrame: golden index packets', () => {
  it('reads a 28-byte index packet with prices in paise and a negative change', () => {
    const r = decode(
      hex(`00 01 | 00 1c
        00 00 65 90   # token 26000 (NIFTY 50)
        00 20 ce a2   # last 2150050 paise
        00 20 e2 11   # high 2155025
        00 20 a7 6a   # low 2140010
        00 20 ca 88   # open 2149000
        00 20 93 d8   # previous close 2135000
        ff ff cf c7   # change -12345 (signed)
      `),
    );
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
    const [tick] = decode(
      hex(`00 01 | 00 20
        00 00 65 90 | 00 20 ce a2 | 00 20 e2 11 | 00 20 a7 6a | 00 20 ca 88 | 00 20 93 d8
        00 00 30 39   # change +12345
        52 c3 dc 94   # exchange time 09:15:00
      `),
    ).ticks;
    expect(tick).toMatchObject({ token: '26000', ltp: 21500.5, change: 123.45, exchangeTime: T_0915_IST });
  });

  it('reads a 48-byte index packet, taking high = max and low = min of the three', () => {
    const [tick] = decode(
      hex(`00 01 | 00 30
        00 00 65 90   # token 26000
        00 20 ce a2   # last 21500.50
        00 20 a7 6a   # 21400.10 (the low, whatever the slot says)
        00 20 ca 88   # 21490.00 (the open)
        00 20 e2 11   # 21550.25 (the high)
        00 20 93 d8   # previous close 21350
        52 c3 dc 92   # last traded time 09:14:58
        52 c3 dc 94   # exchange time 09:15:00
        00 25 8d 00   # upper circuit 2460928 -> 24609.28
        00 1e 84 80   # lower circuit 2000000 -> 20000
        00 27 10 00   # 52-week high 2560000 -> 25600
        00 1a 0b 00   # 52-week low 1706752 -> 17067.52
      `),
    ).ticks;
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
    const r = decode(
      hex(`00 04
        00 08 | 00 00 2d 10 | 00 04 bb 22       # TCS ltp 3100.50
        00 08 | 00 00 0b 45 | 00 00 03 e8       # token 2885 ltp 10.00
        00 08 | 00 00 2d 10 | 00 04 bb 27       # TCS ltp 3100.55
        00 1c | 00 00 65 90 | 00 20 ce a2 | 00 20 e2 11 | 00 20 a7 6a | 00 20 ca 88 | 00 20 93 d8 | ff ff cf c7
      `),
    );
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
