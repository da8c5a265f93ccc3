import { instrumentToken, type InstrumentToken } from '../../../domain/instrument.ts';
import type { TickSequencer } from '../../../domain/tick-sequencer.ts';
import type { DepthLevel, Tick } from '../../../domain/tick.ts';
import type { EpochMs, Rupees } from '../../../domain/units.ts';
import { FEED_EPOCH_UNIX_SECONDS, type TickTimeZone } from './feed-time.ts';
import {
  DEPTH_ENTRY_BYTES,
  DEPTH_LEVELS,
  EQ,
  FRAME_HEADER_BYTES,
  IDX,
  IDX48,
  PACKET_LENGTH_BYTES,
} from './packet-layout.ts';

export interface DecodeOptions {
  /** Seconds-since-1980 interpretation: 'ist' (NSE broadcast convention: unix = t + 315513000)
   *  or 'utc' (what the SDKs assume: unix = t + 315532800). Named setting MSTOCK_TICK_TIME_ZONE. */
  readonly tickTimeZone: TickTimeZone;
  /** Divisor for prices (100: paise → rupees, for NSE/BSE/NFO). */
  readonly priceDivisor: number;
}

/**
 * A packet (or the frame header) that could not be read. `offset` is where its length prefix
 * starts in the frame (for a short frame header: 0); `length` the length it declared, or the bytes
 * left when not even the prefix fits.
 */
export interface MalformedPacket {
  readonly offset: number;
  readonly length: number;
  readonly reason: string;
}

export interface FrameDecodeResult {
  readonly ticks: Tick[]; // in frame order
  readonly malformed: MalformedPacket[]; // packets (or a frame header) that could not be read
  readonly heartbeat: boolean; // frame shorter than 2 bytes
}

type MutableTick = { -readonly [K in keyof Tick]: Tick[K] };

/** Token strings are cached: the hot path then builds no string per packet. */
const TOKEN_CACHE_LIMIT = 65_536;
const tokenCache = new Map<number, InstrumentToken>();
const tokenOf = (n: number): InstrumentToken => {
  let token = tokenCache.get(n);
  if (token === undefined) {
    if (tokenCache.size >= TOKEN_CACHE_LIMIT) tokenCache.clear();
    token = instrumentToken(n);
    tokenCache.set(n, token);
  }
  return token;
};

/** Per-frame constants, so the per-packet functions take one argument for all of them. */
interface Ctx {
  readonly view: DataView;
  readonly div: number;
  /** Added to a feed time in seconds, then × 1000, gives epoch ms. */
  readonly epoch: number;
  readonly receivedAt: EpochMs;
  readonly sequencer: TickSequencer;
}

const price = (c: Ctx, at: number): Rupees => (c.view.getInt32(at) / c.div) as Rupees;
const time = (c: Ctx, at: number): number => {
  const s = c.view.getInt32(at);
  return s === 0 ? 0 : (s + c.epoch) * 1000;
};

const baseTick = (c: Ctx, token: InstrumentToken, ltp: Rupees, volume: number): MutableTick => ({
  token,
  ltp,
  volume,
  receivedAt: c.receivedAt,
  source: 'live',
  seq: 0,
});

/** exchangeTime only when the feed sent one (0 = not sent); seq counts ticks of one token per time. */
const stamp = (c: Ctx, t: MutableTick, exchangeTime: number): Tick => {
  if (exchangeTime !== 0) t.exchangeTime = exchangeTime as EpochMs;
  t.seq = c.sequencer.next(t.token, t.exchangeTime ?? c.receivedAt);
  return t;
};

const depthSide = (c: Ctx, from: number): DepthLevel[] => {
  const side: DepthLevel[] = [];
  for (let i = 0, at = from; i < DEPTH_LEVELS; i++, at += DEPTH_ENTRY_BYTES) {
    side.push({
      quantity: c.view.getInt32(at),
      price: (c.view.getInt32(at + 4) / c.div) as Rupees,
      // int16 order count, read unsigned: a count is never negative.
      orders: c.view.getUint16(at + 8),
    });
  }
  return side;
};

const decodeEquity = (c: Ctx, p: number, length: number, token: InstrumentToken): Tick => {
  const v = c.view;
  if (length === 8) return stamp(c, baseTick(c, token, price(c, p + EQ.ltp), 0), 0);
  const t = baseTick(c, token, price(c, p + EQ.ltp), v.getInt32(p + EQ.volume));
  t.lastTradedQuantity = v.getInt32(p + EQ.lastTradedQuantity);
  t.averagePrice = price(c, p + EQ.averagePrice);
  t.totalBuyQuantity = v.getInt32(p + EQ.totalBuyQuantity);
  t.totalSellQuantity = v.getInt32(p + EQ.totalSellQuantity);
  t.open = price(c, p + EQ.open);
  t.high = price(c, p + EQ.high);
  t.low = price(c, p + EQ.low);
  t.close = price(c, p + EQ.close);
  if (length === 44) return stamp(c, t, 0);
  const lastTradeTime = time(c, p + EQ.lastTradeTime);
  if (lastTradeTime !== 0) t.lastTradeTime = lastTradeTime as EpochMs;
  t.openInterest = v.getInt32(p + EQ.openInterest);
  t.openInterestDayHigh = v.getInt32(p + EQ.openInterestDayHigh);
  t.openInterestDayLow = v.getInt32(p + EQ.openInterestDayLow);
  t.depth = {
    bids: depthSide(c, p + EQ.depth),
    asks: depthSide(c, p + EQ.depth + DEPTH_LEVELS * DEPTH_ENTRY_BYTES),
  };
  if (length === 200) {
    t.upperCircuit = price(c, p + EQ.upperCircuit);
    t.lowerCircuit = price(c, p + EQ.lowerCircuit);
    t.yearHigh = price(c, p + EQ.yearHigh);
    t.yearLow = price(c, p + EQ.yearLow);
  }
  return stamp(c, t, time(c, p + EQ.exchangeTime));
};

/** Index packets carry no volume: the tick says 0. The change field is signed (the SDKs err here). */
const decodeIndex = (c: Ctx, p: number, length: number, token: InstrumentToken): Tick => {
  const t = baseTick(c, token, price(c, p + IDX.ltp), 0);
  if (length !== 48) {
    t.high = price(c, p + IDX.high);
    t.low = price(c, p + IDX.low);
    t.open = price(c, p + IDX.open);
    t.close = price(c, p + IDX.close);
    t.change = price(c, p + IDX.change);
    return stamp(c, t, length === 32 ? time(c, p + IDX.exchangeTime) : 0);
  }
  const a = c.view.getInt32(p + IDX48.ohl[0]);
  const b = c.view.getInt32(p + IDX48.ohl[1]);
  const d = c.view.getInt32(p + IDX48.ohl[2]);
  const high = Math.max(a, b, d);
  const low = Math.min(a, b, d);
  t.high = (high / c.div) as Rupees;
  t.low = (low / c.div) as Rupees;
  t.open = ((a + b + d - high - low) / c.div) as Rupees;
  t.close = price(c, p + IDX48.close);
  const lastTradeTime = time(c, p + IDX48.lastTradeTime);
  if (lastTradeTime !== 0) t.lastTradeTime = lastTradeTime as EpochMs;
  t.upperCircuit = price(c, p + IDX48.upperCircuit);
  t.lowerCircuit = price(c, p + IDX48.lowerCircuit);
  t.yearHigh = price(c, p + IDX48.yearHigh);
  t.yearLow = price(c, p + IDX48.yearLow);
  return stamp(c, t, time(c, p + IDX48.exchangeTime));
};

/**
 * Decodes one binary frame: `uint16 count`, then `count` × (`uint16 length` + packet). Every
 * packet length is decoded for every token (the server may send long packets whatever the mode);
 * index or equity is told by length alone. Tokens are plain exchange tokens (no `token & 0xFF`
 * segment rule: that is a Kite convention the SDKs wrongly copy).
 *
 * Never throws and never reads past the frame: a packet of unknown length, of length 0 or with an
 * invalid token is recorded and skipped (its length still says where the next one starts); a count
 * or a length that runs past the end is recorded and ends the frame, since nothing after it can be
 * located; bytes left after the announced packets are recorded too.
 */
export const decodeFrame = (
  frame: Uint8Array,
  receivedAt: EpochMs,
  sequencer: TickSequencer,
  options: DecodeOptions,
): FrameDecodeResult => {
  const ticks: Tick[] = [];
  const malformed: MalformedPacket[] = [];
  const size = frame.byteLength;
  if (size < FRAME_HEADER_BYTES) return { ticks, malformed, heartbeat: true };
  const view = new DataView(frame.buffer, frame.byteOffset, size);
  const c: Ctx = {
    view,
    div: options.priceDivisor,
    epoch: FEED_EPOCH_UNIX_SECONDS[options.tickTimeZone],
    receivedAt,
    sequencer,
  };
  const count = view.getUint16(0);
  let offset = FRAME_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (offset + PACKET_LENGTH_BYTES > size) {
      malformed.push({
        offset,
        length: size - offset,
        reason: `frame announces ${count} packets but holds only ${i}`,
      });
      return { ticks, malformed, heartbeat: false };
    }
    const length = view.getUint16(offset);
    const p = offset + PACKET_LENGTH_BYTES;
    if (p + length > size) {
      malformed.push({ offset, length, reason: `packet of ${length} bytes runs past the end of the frame` });
      return { ticks, malformed, heartbeat: false };
    }
    const raw = length >= 4 ? view.getInt32(p) : 0;
    if (length !== 8 && length !== 44 && length !== 184 && length !== 200) {
      if (length !== 28 && length !== 32 && length !== 48) {
        malformed.push({ offset, length, reason: `unknown packet length ${length}` });
      } else if (raw <= 0) {
        malformed.push({ offset, length, reason: `invalid instrument token ${raw}` });
      } else {
        ticks.push(decodeIndex(c, p, length, tokenOf(raw)));
      }
    } else if (raw <= 0) {
      malformed.push({ offset, length, reason: `invalid instrument token ${raw}` });
    } else {
      ticks.push(decodeEquity(c, p, length, tokenOf(raw)));
    }
    offset = p + length;
  }
  if (offset < size) {
    malformed.push({ offset, length: size - offset, reason: `${size - offset} bytes after the last packet` });
  }
  return { ticks, malformed, heartbeat: false };
};
