/**
 * The simulator's side of the feed: packets and frames written as m.Stock's server writes them, from
 * the shared layout (src/protocol/mstock). Tests and benchmarks build frames with it too.
 */
import * as layout from '../protocol/mstock/packet-layout.ts';

/** One depth entry as the feed carries it: price in paise. */
export interface DepthEntryFields {
  readonly quantity: number;
  readonly price: number;
  readonly orders: number;
}

/**
 * The raw integer fields of a packet: prices in paise, times in seconds since 1980 (0 = not sent).
 * A kind writes only the fields its layout has; absent fields are written as 0.
 */
export interface PacketFields {
  readonly token: number;
  readonly ltp: number;
  readonly lastTradedQuantity?: number;
  readonly averagePrice?: number;
  readonly volume?: number;
  readonly totalBuyQuantity?: number;
  readonly totalSellQuantity?: number;
  readonly open?: number;
  readonly high?: number;
  readonly low?: number;
  /** Previous session's close. */
  readonly close?: number;
  /** Index packets 28/32 only, signed. */
  readonly change?: number;
  readonly lastTradeTime?: number;
  readonly openInterest?: number;
  readonly openInterestDayHigh?: number;
  readonly openInterestDayLow?: number;
  readonly exchangeTime?: number;
  /** Up to 5 levels a side; missing levels are written as zeros. */
  readonly depth?: { readonly bids: readonly DepthEntryFields[]; readonly asks: readonly DepthEntryFields[] };
  readonly upperCircuit?: number;
  readonly lowerCircuit?: number;
  readonly yearHigh?: number;
  readonly yearLow?: number;
}

/**
 * Where the 48-byte index packet puts open, high and low (offsets 8, 12, 16). Sources disagree, and
 * the decoder does not depend on it; the default mirrors the 28/32-byte packet (high, low, open).
 */
export type Index48Order = readonly [
  'open' | 'high' | 'low',
  'open' | 'high' | 'low',
  'open' | 'high' | 'low',
];
export const DEFAULT_INDEX48_ORDER: Index48Order = ['high', 'low', 'open'];

const writeDepth = (view: DataView, at: number, side: readonly DepthEntryFields[] | undefined): void => {
  for (let i = 0; i < layout.DEPTH_LEVELS; i++) {
    const e = side?.[i];
    const o = at + i * layout.DEPTH_ENTRY_BYTES;
    view.setInt32(o + layout.DEPTH_QUANTITY, e?.quantity ?? 0);
    view.setInt32(o + layout.DEPTH_PRICE, e?.price ?? 0);
    view.setUint16(o + layout.DEPTH_ORDERS, e?.orders ?? 0);
    view.setUint16(o + layout.DEPTH_PADDING, 0);
  }
};

/**
 * Writes the packet body (without its length prefix) at `at`. Returns the bytes written. The
 * simulator writes straight into a frame buffer with this; `encodePacket` wraps it.
 */
export const writePacket = (
  view: DataView,
  at: number,
  p: PacketFields,
  kind: layout.PacketKind,
  index48Order: Index48Order = DEFAULT_INDEX48_ORDER,
): number => {
  switch (kind) {
    case 'ltp8':
    case 'quote44':
    case 'full184':
    case 'full200':
      view.setInt32(at + layout.EQ_TOKEN, p.token);
      view.setInt32(at + layout.EQ_LTP, p.ltp);
      if (kind === 'ltp8') break;
      view.setInt32(at + layout.EQ_LAST_TRADED_QUANTITY, p.lastTradedQuantity ?? 0);
      view.setInt32(at + layout.EQ_AVERAGE_PRICE, p.averagePrice ?? 0);
      view.setInt32(at + layout.EQ_VOLUME, p.volume ?? 0);
      view.setInt32(at + layout.EQ_TOTAL_BUY_QUANTITY, p.totalBuyQuantity ?? 0);
      view.setInt32(at + layout.EQ_TOTAL_SELL_QUANTITY, p.totalSellQuantity ?? 0);
      view.setInt32(at + layout.EQ_OPEN, p.open ?? 0);
      view.setInt32(at + layout.EQ_HIGH, p.high ?? 0);
      view.setInt32(at + layout.EQ_LOW, p.low ?? 0);
      view.setInt32(at + layout.EQ_CLOSE, p.close ?? 0);
      if (kind === 'quote44') break;
      view.setInt32(at + layout.EQ_LAST_TRADE_TIME, p.lastTradeTime ?? 0);
      view.setInt32(at + layout.EQ_OPEN_INTEREST, p.openInterest ?? 0);
      view.setInt32(at + layout.EQ_OPEN_INTEREST_DAY_HIGH, p.openInterestDayHigh ?? 0);
      view.setInt32(at + layout.EQ_OPEN_INTEREST_DAY_LOW, p.openInterestDayLow ?? 0);
      view.setInt32(at + layout.EQ_EXCHANGE_TIME, p.exchangeTime ?? 0);
      writeDepth(view, at + layout.EQ_DEPTH, p.depth?.bids);
      writeDepth(view, at + layout.EQ_DEPTH + layout.DEPTH_SIDE_BYTES, p.depth?.asks);
      if (kind === 'full184') break;
      view.setInt32(at + layout.EQ_UPPER_CIRCUIT, p.upperCircuit ?? 0);
      view.setInt32(at + layout.EQ_LOWER_CIRCUIT, p.lowerCircuit ?? 0);
      view.setInt32(at + layout.EQ_YEAR_HIGH, p.yearHigh ?? 0);
      view.setInt32(at + layout.EQ_YEAR_LOW, p.yearLow ?? 0);
      break;
    case 'index28':
    case 'index32':
      view.setInt32(at + layout.IDX_TOKEN, p.token);
      view.setInt32(at + layout.IDX_LTP, p.ltp);
      view.setInt32(at + layout.IDX_HIGH, p.high ?? 0);
      view.setInt32(at + layout.IDX_LOW, p.low ?? 0);
      view.setInt32(at + layout.IDX_OPEN, p.open ?? 0);
      view.setInt32(at + layout.IDX_CLOSE, p.close ?? 0);
      view.setInt32(at + layout.IDX_CHANGE, p.change ?? 0);
      if (kind === 'index32') view.setInt32(at + layout.IDX_EXCHANGE_TIME, p.exchangeTime ?? 0);
      break;
    case 'index48':
      view.setInt32(at + layout.IDX48_TOKEN, p.token);
      view.setInt32(at + layout.IDX48_LTP, p.ltp);
      view.setInt32(at + layout.IDX48_OHL_1, p[index48Order[0]] ?? 0);
      view.setInt32(at + layout.IDX48_OHL_2, p[index48Order[1]] ?? 0);
      view.setInt32(at + layout.IDX48_OHL_3, p[index48Order[2]] ?? 0);
      view.setInt32(at + layout.IDX48_CLOSE, p.close ?? 0);
      view.setInt32(at + layout.IDX48_LAST_TRADE_TIME, p.lastTradeTime ?? 0);
      view.setInt32(at + layout.IDX48_EXCHANGE_TIME, p.exchangeTime ?? 0);
      view.setInt32(at + layout.IDX48_UPPER_CIRCUIT, p.upperCircuit ?? 0);
      view.setInt32(at + layout.IDX48_LOWER_CIRCUIT, p.lowerCircuit ?? 0);
      view.setInt32(at + layout.IDX48_YEAR_HIGH, p.yearHigh ?? 0);
      view.setInt32(at + layout.IDX48_YEAR_LOW, p.yearLow ?? 0);
      break;
  }
  return layout.PACKET_LENGTH[kind];
};

/** One packet's bytes, without the length prefix (`encodeFrame` adds it). */
export const encodePacket = (
  p: PacketFields,
  kind: layout.PacketKind,
  index48Order: Index48Order = DEFAULT_INDEX48_ORDER,
): Uint8Array => {
  const bytes = new Uint8Array(layout.PACKET_LENGTH[kind]);
  writePacket(new DataView(bytes.buffer), 0, p, kind, index48Order);
  return bytes;
};

/** A frame: `uint16 count`, then each packet prefixed with its `uint16 length`. */
export const encodeFrame = (packets: readonly Uint8Array[]): Uint8Array => {
  if (packets.length > layout.MAX_PACKETS_PER_FRAME) {
    throw new RangeError(
      `a frame holds at most ${layout.MAX_PACKETS_PER_FRAME} packets, got ${packets.length}`,
    );
  }
  let size = layout.FRAME_HEADER_BYTES;
  for (const p of packets) size += layout.PACKET_LENGTH_BYTES + p.byteLength;
  const frame = new Uint8Array(size);
  const view = new DataView(frame.buffer);
  view.setUint16(0, packets.length);
  let at = layout.FRAME_HEADER_BYTES;
  for (const p of packets) {
    if (p.byteLength > layout.MAX_PACKET_BYTES)
      throw new RangeError(`a packet holds at most ${layout.MAX_PACKET_BYTES} bytes, got ${p.byteLength}`);
    view.setUint16(at, p.byteLength);
    frame.set(p, at + layout.PACKET_LENGTH_BYTES);
    at += layout.PACKET_LENGTH_BYTES + p.byteLength;
  }
  return frame;
};

/** The one heartbeat frame the server sends when idle: a single byte (Kite convention, inferred). */
export const HEARTBEAT_FRAME: Uint8Array = Uint8Array.of(0);
