import {
  DEPTH_ENTRY_BYTES,
  DEPTH_LEVELS,
  EQ,
  FRAME_HEADER_BYTES,
  IDX,
  IDX48,
  PACKET_LENGTH,
  PACKET_LENGTH_BYTES,
  type PacketKind,
} from './packet-layout.ts';

export type { PacketKind } from './packet-layout.ts';

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
  for (let i = 0; i < DEPTH_LEVELS; i++) {
    const e = side?.[i];
    const o = at + i * DEPTH_ENTRY_BYTES;
    view.setInt32(o, e?.quantity ?? 0);
    view.setInt32(o + 4, e?.price ?? 0);
    view.setUint16(o + 8, e?.orders ?? 0);
    view.setUint16(o + 10, 0);
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
  kind: PacketKind,
  index48Order: Index48Order = DEFAULT_INDEX48_ORDER,
): number => {
  view.setInt32(at, p.token);
  view.setInt32(at + 4, p.ltp);
  switch (kind) {
    case 'ltp8':
      break;
    case 'quote44':
    case 'full184':
    case 'full200':
      view.setInt32(at + EQ.lastTradedQuantity, p.lastTradedQuantity ?? 0);
      view.setInt32(at + EQ.averagePrice, p.averagePrice ?? 0);
      view.setInt32(at + EQ.volume, p.volume ?? 0);
      view.setInt32(at + EQ.totalBuyQuantity, p.totalBuyQuantity ?? 0);
      view.setInt32(at + EQ.totalSellQuantity, p.totalSellQuantity ?? 0);
      view.setInt32(at + EQ.open, p.open ?? 0);
      view.setInt32(at + EQ.high, p.high ?? 0);
      view.setInt32(at + EQ.low, p.low ?? 0);
      view.setInt32(at + EQ.close, p.close ?? 0);
      if (kind === 'quote44') break;
      view.setInt32(at + EQ.lastTradeTime, p.lastTradeTime ?? 0);
      view.setInt32(at + EQ.openInterest, p.openInterest ?? 0);
      view.setInt32(at + EQ.openInterestDayHigh, p.openInterestDayHigh ?? 0);
      view.setInt32(at + EQ.openInterestDayLow, p.openInterestDayLow ?? 0);
      view.setInt32(at + EQ.exchangeTime, p.exchangeTime ?? 0);
      writeDepth(view, at + EQ.depth, p.depth?.bids);
      writeDepth(view, at + EQ.depth + DEPTH_LEVELS * DEPTH_ENTRY_BYTES, p.depth?.asks);
      if (kind === 'full184') break;
      view.setInt32(at + EQ.upperCircuit, p.upperCircuit ?? 0);
      view.setInt32(at + EQ.lowerCircuit, p.lowerCircuit ?? 0);
      view.setInt32(at + EQ.yearHigh, p.yearHigh ?? 0);
      view.setInt32(at + EQ.yearLow, p.yearLow ?? 0);
      break;
    case 'index28':
    case 'index32':
      view.setInt32(at + IDX.high, p.high ?? 0);
      view.setInt32(at + IDX.low, p.low ?? 0);
      view.setInt32(at + IDX.open, p.open ?? 0);
      view.setInt32(at + IDX.close, p.close ?? 0);
      view.setInt32(at + IDX.change, p.change ?? 0);
      if (kind === 'index32') view.setInt32(at + IDX.exchangeTime, p.exchangeTime ?? 0);
      break;
    case 'index48':
      for (let i = 0; i < 3; i++) {
        view.setInt32(at + IDX48.ohl[i as 0 | 1 | 2], p[index48Order[i as 0 | 1 | 2]] ?? 0);
      }
      view.setInt32(at + IDX48.close, p.close ?? 0);
      view.setInt32(at + IDX48.lastTradeTime, p.lastTradeTime ?? 0);
      view.setInt32(at + IDX48.exchangeTime, p.exchangeTime ?? 0);
      view.setInt32(at + IDX48.upperCircuit, p.upperCircuit ?? 0);
      view.setInt32(at + IDX48.lowerCircuit, p.lowerCircuit ?? 0);
      view.setInt32(at + IDX48.yearHigh, p.yearHigh ?? 0);
      view.setInt32(at + IDX48.yearLow, p.yearLow ?? 0);
      break;
  }
  return PACKET_LENGTH[kind];
};

/** One packet's bytes, without the length prefix (`encodeFrame` adds it). */
export const encodePacket = (
  p: PacketFields,
  kind: PacketKind,
  index48Order: Index48Order = DEFAULT_INDEX48_ORDER,
): Uint8Array => {
  const bytes = new Uint8Array(PACKET_LENGTH[kind]);
  writePacket(new DataView(bytes.buffer), 0, p, kind, index48Order);
  return bytes;
};

/** The largest count the uint16 frame header can carry. */
export const MAX_PACKETS_PER_FRAME = 0xffff;

/** A frame: `uint16 count`, then each packet prefixed with its `uint16 length`. */
export const encodeFrame = (packets: readonly Uint8Array[]): Uint8Array => {
  if (packets.length > MAX_PACKETS_PER_FRAME) {
    throw new RangeError(`a frame holds at most ${MAX_PACKETS_PER_FRAME} packets, got ${packets.length}`);
  }
  let size = FRAME_HEADER_BYTES;
  for (const p of packets) size += PACKET_LENGTH_BYTES + p.byteLength;
  const frame = new Uint8Array(size);
  const view = new DataView(frame.buffer);
  view.setUint16(0, packets.length);
  let at = FRAME_HEADER_BYTES;
  for (const p of packets) {
    if (p.byteLength > 0xffff)
      throw new RangeError(`a packet holds at most 65535 bytes, got ${p.byteLength}`);
    view.setUint16(at, p.byteLength);
    frame.set(p, at + PACKET_LENGTH_BYTES);
    at += PACKET_LENGTH_BYTES + p.byteLength;
  }
  return frame;
};

/** The one heartbeat frame the server sends when idle: a single byte (Kite convention, inferred). */
export const HEARTBEAT_FRAME: Uint8Array = Uint8Array.of(0);
