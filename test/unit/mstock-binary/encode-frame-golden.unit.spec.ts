import { describe, expect, it } from 'vitest';
import type { PacketKind } from '../../../src/protocol/mstock/packet-layout.ts';
import { encodeFrame, encodePacket, type PacketFields } from '../../../src/simulator/encode-frame.ts';
import * as golden from './golden-frames.ts';
import { hex } from './hex.ts';

/**
 * The simulator's encoder, given the values the hand-written golden frames carry (in feed units:
 * paise, seconds since 1980), must write exactly those bytes: the fake broker sends what the
 * document describes, not merely what the decoder happens to read.
 */
const T_0915 = 0x52c3dc94;
const T_0914_58 = 0x52c3dc92;

const QUOTE: PacketFields = {
  token: 11536,
  ltp: 310050,
  lastTradedQuantity: 25,
  averagePrice: 309875,
  volume: 1234567,
  totalBuyQuantity: 50000,
  totalSellQuantity: 60000,
  open: 308000,
  high: 311000,
  low: 307500,
  close: 307000,
};

const level = (quantity: number, price: number, orders: number) => ({ quantity, price, orders });
const FULL: PacketFields = {
  ...QUOTE,
  lastTradeTime: T_0914_58,
  openInterest: 1000,
  openInterestDayHigh: 1500,
  openInterestDayLow: 900,
  exchangeTime: T_0915,
  depth: {
    bids: [
      level(100, 310045, 1),
      level(200, 310040, 2),
      level(300, 310035, 3),
      level(400, 310030, 4),
      level(500, 310025, 5),
    ],
    asks: [
      level(200, 310055, 10),
      level(400, 310060, 11),
      level(600, 310065, 12),
      level(800, 310070, 13),
      level(1000, 310075, 14),
    ],
  },
};

const FULL_EXTENDED: PacketFields = {
  ...FULL,
  upperCircuit: 341000,
  lowerCircuit: 276300,
  yearHigh: 365000,
  yearLow: 250010,
};

const INDEX: PacketFields = {
  token: 26000,
  ltp: 2150050,
  high: 2155025,
  low: 2140010,
  open: 2149000,
  close: 2135000,
  change: -12345,
};

const INDEX_EXTENDED: PacketFields = {
  ...INDEX,
  lastTradeTime: T_0914_58,
  exchangeTime: T_0915,
  upperCircuit: 2460928,
  lowerCircuit: 2000000,
  yearHigh: 2560000,
  yearLow: 1706752,
};

const frameOf = (fields: PacketFields, kind: PacketKind) => encodeFrame([encodePacket(fields, kind)]);

describe('simulator encoder: golden equity packets', () => {
  it('writes the 8-byte ltp packet', () => {
    expect(frameOf({ token: 11536, ltp: 310050 }, 'ltp8')).toEqual(hex(golden.LTP_8_FRAME));
  });

  it('writes the 44-byte quote packet', () => {
    expect(frameOf(QUOTE, 'quote44')).toEqual(hex(golden.QUOTE_44_FRAME));
  });

  it('writes the 184-byte full packet with both times and ten depth entries', () => {
    expect(frameOf(FULL, 'full184')).toEqual(hex(golden.FULL_184_FRAME));
  });

  it('writes the 200-byte packet: full plus circuit limits and 52-week range', () => {
    expect(frameOf(FULL_EXTENDED, 'full200')).toEqual(hex(golden.FULL_200_FRAME));
  });
});

describe('simulator encoder: golden index packets', () => {
  it('writes the 28-byte packet with a negative change as a signed int32', () => {
    expect(frameOf(INDEX, 'index28')).toEqual(hex(golden.INDEX_28_FRAME));
  });

  it('writes the 32-byte packet with its exchange time', () => {
    expect(frameOf({ ...INDEX, change: 12345, exchangeTime: T_0915 }, 'index32')).toEqual(
      hex(golden.INDEX_32_FRAME),
    );
  });

  it('writes the 48-byte packet, its open/high/low slots in the order asked for', () => {
    const bytes = encodeFrame([encodePacket(INDEX_EXTENDED, 'index48', ['low', 'open', 'high'])]);
    expect(bytes).toEqual(hex(golden.INDEX_48_FRAME));
  });
});

describe('simulator encoder: golden frames', () => {
  it('writes a count, then each packet behind its length', () => {
    const frame = encodeFrame([
      encodePacket({ token: 11536, ltp: 310050 }, 'ltp8'),
      encodePacket({ token: 2885, ltp: 1000 }, 'ltp8'),
      encodePacket({ token: 11536, ltp: 310055 }, 'ltp8'),
      encodePacket(INDEX, 'index28'),
    ]);
    expect(frame).toEqual(hex(golden.FOUR_PACKET_FRAME));
  });
});
