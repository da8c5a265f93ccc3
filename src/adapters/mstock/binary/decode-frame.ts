import { nextSeq, type TickSequencer, type TokenRun } from '../../../domain/tick-sequencer.ts';
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

/** Per-frame constants, so the per-packet functions take one argument for all of them. */
interface Ctx {
  readonly view: DataView;
  readonly div: number;
  /** Added to a feed time in seconds, then × 1000, gives epoch ms. */
  readonly epoch: number;
  readonly receivedAt: EpochMs;
}

const price = (c: Ctx, at: number): Rupees => (c.view.getInt32(at) / c.div) as Rupees;
/** A feed time as epoch ms; 0 when the feed sent none. */
const time = (c: Ctx, at: number): EpochMs => {
  const s = c.view.getInt32(at);
  return (s === 0 ? 0 : (s + c.epoch) * 1000) as EpochMs;
};

/*
 * Speed (bench/README.md, "Decode"): a packet's token is looked up once, as a number, in the
 * sequencer, which holds the token's string and its seq state together. Each tick is ONE object
 * literal holding all its fields, so it is born with its final hidden class and no out-of-object
 * property store; `seq` is computed before it. Fields keep the order the decoder has always used, since the wire JSON follows it.
 * A time the feed did not send (0) must be absent, which is another shape: those rare ticks take a
 * slower path that adds fields one by one (never `delete`, which would make a slow dictionary
 * object and decode 3x slower).
 */

const level = (c: Ctx, at: number): DepthLevel => ({
  quantity: c.view.getInt32(at),
  price: (c.view.getInt32(at + 4) / c.div) as Rupees,
  // int16 order count, read unsigned: a count is never negative.
  orders: c.view.getUint16(at + 8),
});

const DEPTH_SIDE_BYTES = DEPTH_LEVELS * DEPTH_ENTRY_BYTES;

/** A side's DEPTH_LEVELS (5) levels from `at`, as one array literal (no growing by push). */
const depthSide = (c: Ctx, at: number): DepthLevel[] => [
  level(c, at),
  level(c, at + DEPTH_ENTRY_BYTES),
  level(c, at + 2 * DEPTH_ENTRY_BYTES),
  level(c, at + 3 * DEPTH_ENTRY_BYTES),
  level(c, at + 4 * DEPTH_ENTRY_BYTES),
];

const decodeLtp = (c: Ctx, p: number, run: TokenRun): Tick => {
  return {
    token: run.token,
    ltp: price(c, p + EQ.ltp),
    volume: 0,
    receivedAt: c.receivedAt,
    source: 'live',
    seq: nextSeq(run, c.receivedAt),
  };
};

/** The 44-byte quote packet's fields; the first 44 bytes of a full packet are the same. */
const quoteTick = (c: Ctx, p: number, run: TokenRun, seq: number): Tick => {
  const v = c.view;
  return {
    token: run.token,
    ltp: price(c, p + EQ.ltp),
    volume: v.getInt32(p + EQ.volume),
    receivedAt: c.receivedAt,
    source: 'live',
    seq,
    lastTradedQuantity: v.getInt32(p + EQ.lastTradedQuantity),
    averagePrice: price(c, p + EQ.averagePrice),
    totalBuyQuantity: v.getInt32(p + EQ.totalBuyQuantity),
    totalSellQuantity: v.getInt32(p + EQ.totalSellQuantity),
    open: price(c, p + EQ.open),
    high: price(c, p + EQ.high),
    low: price(c, p + EQ.low),
    close: price(c, p + EQ.close),
  };
};

const decodeQuote = (c: Ctx, p: number, run: TokenRun): Tick => {
  return quoteTick(c, p, run, nextSeq(run, c.receivedAt));
};

/**
 * A full packet (184 or 200 bytes) that carries both times, the usual case: one literal. The two
 * literals repeat their common fields on purpose: each packet length gets one object shape built in
 * one go (a spread, or fields added after the literal, change the shape per tick and measured
 * several times slower; see bench/README.md).
 */
const fullTick = (
  c: Ctx,
  p: number,
  run: TokenRun,
  seq: number,
  length: number,
  exchangeTime: EpochMs,
): Tick => {
  const v = c.view;
  return length === 184
    ? {
        token: run.token,
        ltp: price(c, p + EQ.ltp),
        volume: v.getInt32(p + EQ.volume),
        receivedAt: c.receivedAt,
        source: 'live',
        seq,
        lastTradedQuantity: v.getInt32(p + EQ.lastTradedQuantity),
        averagePrice: price(c, p + EQ.averagePrice),
        totalBuyQuantity: v.getInt32(p + EQ.totalBuyQuantity),
        totalSellQuantity: v.getInt32(p + EQ.totalSellQuantity),
        open: price(c, p + EQ.open),
        high: price(c, p + EQ.high),
        low: price(c, p + EQ.low),
        close: price(c, p + EQ.close),
        lastTradeTime: time(c, p + EQ.lastTradeTime),
        openInterest: v.getInt32(p + EQ.openInterest),
        openInterestDayHigh: v.getInt32(p + EQ.openInterestDayHigh),
        openInterestDayLow: v.getInt32(p + EQ.openInterestDayLow),
        depth: { bids: depthSide(c, p + EQ.depth), asks: depthSide(c, p + EQ.depth + DEPTH_SIDE_BYTES) },
        exchangeTime,
      }
    : {
        token: run.token,
        ltp: price(c, p + EQ.ltp),
        volume: v.getInt32(p + EQ.volume),
        receivedAt: c.receivedAt,
        source: 'live',
        seq,
        lastTradedQuantity: v.getInt32(p + EQ.lastTradedQuantity),
        averagePrice: price(c, p + EQ.averagePrice),
        totalBuyQuantity: v.getInt32(p + EQ.totalBuyQuantity),
        totalSellQuantity: v.getInt32(p + EQ.totalSellQuantity),
        open: price(c, p + EQ.open),
        high: price(c, p + EQ.high),
        low: price(c, p + EQ.low),
        close: price(c, p + EQ.close),
        lastTradeTime: time(c, p + EQ.lastTradeTime),
        openInterest: v.getInt32(p + EQ.openInterest),
        openInterestDayHigh: v.getInt32(p + EQ.openInterestDayHigh),
        openInterestDayLow: v.getInt32(p + EQ.openInterestDayLow),
        depth: { bids: depthSide(c, p + EQ.depth), asks: depthSide(c, p + EQ.depth + DEPTH_SIDE_BYTES) },
        upperCircuit: price(c, p + EQ.upperCircuit),
        lowerCircuit: price(c, p + EQ.lowerCircuit),
        yearHigh: price(c, p + EQ.yearHigh),
        yearLow: price(c, p + EQ.yearLow),
        exchangeTime,
      };
};

/** A full packet with a time left 0 (not sent): the same fields, in the same order, without it. */
const sparseFullTick = (
  c: Ctx,
  p: number,
  run: TokenRun,
  seq: number,
  length: number,
  exchangeTime: EpochMs,
): Tick => {
  const v = c.view;
  const t: MutableTick = quoteTick(c, p, run, seq);
  const lastTradeTime = time(c, p + EQ.lastTradeTime);
  if (lastTradeTime !== 0) t.lastTradeTime = lastTradeTime;
  t.openInterest = v.getInt32(p + EQ.openInterest);
  t.openInterestDayHigh = v.getInt32(p + EQ.openInterestDayHigh);
  t.openInterestDayLow = v.getInt32(p + EQ.openInterestDayLow);
  t.depth = { bids: depthSide(c, p + EQ.depth), asks: depthSide(c, p + EQ.depth + DEPTH_SIDE_BYTES) };
  if (length === 200) {
    t.upperCircuit = price(c, p + EQ.upperCircuit);
    t.lowerCircuit = price(c, p + EQ.lowerCircuit);
    t.yearHigh = price(c, p + EQ.yearHigh);
    t.yearLow = price(c, p + EQ.yearLow);
  }
  if (exchangeTime !== 0) t.exchangeTime = exchangeTime;
  return t;
};

/** 184 and 200 bytes: the 200-byte packet adds circuit limits and the 52-week range. */
const decodeFull = (c: Ctx, p: number, run: TokenRun, length: number): Tick => {
  const exchangeTime = time(c, p + EQ.exchangeTime);
  const seq = nextSeq(run, exchangeTime === 0 ? c.receivedAt : exchangeTime);
  return exchangeTime !== 0 && c.view.getInt32(p + EQ.lastTradeTime) !== 0
    ? fullTick(c, p, run, seq, length, exchangeTime)
    : sparseFullTick(c, p, run, seq, length, exchangeTime);
};

/** The 28-byte index packet, and the 32-byte one whose time is 0 (not sent). */
const indexQuoteTick = (c: Ctx, p: number, run: TokenRun, seq: number): Tick => ({
  token: run.token,
  ltp: price(c, p + IDX.ltp),
  volume: 0,
  receivedAt: c.receivedAt,
  source: 'live',
  seq,
  high: price(c, p + IDX.high),
  low: price(c, p + IDX.low),
  open: price(c, p + IDX.open),
  close: price(c, p + IDX.close),
  change: price(c, p + IDX.change),
});

/** Index packets carry no volume: the tick says 0. The change field is signed (the SDKs err here). */
const decodeIndex28 = (c: Ctx, p: number, run: TokenRun): Tick =>
  indexQuoteTick(c, p, run, nextSeq(run, c.receivedAt));

const decodeIndex32 = (c: Ctx, p: number, run: TokenRun): Tick => {
  const exchangeTime = time(c, p + IDX.exchangeTime);
  if (exchangeTime === 0) return indexQuoteTick(c, p, run, nextSeq(run, c.receivedAt));
  return {
    token: run.token,
    ltp: price(c, p + IDX.ltp),
    volume: 0,
    receivedAt: c.receivedAt,
    source: 'live',
    seq: nextSeq(run, exchangeTime),
    high: price(c, p + IDX.high),
    low: price(c, p + IDX.low),
    open: price(c, p + IDX.open),
    close: price(c, p + IDX.close),
    change: price(c, p + IDX.change),
    exchangeTime,
  };
};

/** The 48-byte index packet: open, high and low in an order sources disagree on (packet-layout.ts). */
const decodeIndex48 = (c: Ctx, p: number, run: TokenRun): Tick => {
  const v = c.view;
  const exchangeTime = time(c, p + IDX48.exchangeTime);
  const lastTradeTime = time(c, p + IDX48.lastTradeTime);
  const seq = nextSeq(run, exchangeTime === 0 ? c.receivedAt : exchangeTime);
  const a = v.getInt32(p + IDX48.ohl[0]);
  const b = v.getInt32(p + IDX48.ohl[1]);
  const d = v.getInt32(p + IDX48.ohl[2]);
  const hi = Math.max(a, b, d);
  const lo = Math.min(a, b, d);
  const high = (hi / c.div) as Rupees;
  const low = (lo / c.div) as Rupees;
  const open = ((a + b + d - hi - lo) / c.div) as Rupees;
  if (exchangeTime !== 0 && lastTradeTime !== 0) {
    return {
      token: run.token,
      ltp: price(c, p + IDX48.ltp),
      volume: 0,
      receivedAt: c.receivedAt,
      source: 'live',
      seq,
      high,
      low,
      open,
      close: price(c, p + IDX48.close),
      lastTradeTime,
      upperCircuit: price(c, p + IDX48.upperCircuit),
      lowerCircuit: price(c, p + IDX48.lowerCircuit),
      yearHigh: price(c, p + IDX48.yearHigh),
      yearLow: price(c, p + IDX48.yearLow),
      exchangeTime,
    };
  }
  // Rare: a time not sent. The same fields in the same order, without it.
  const t: MutableTick = {
    token: run.token,
    ltp: price(c, p + IDX48.ltp),
    volume: 0,
    receivedAt: c.receivedAt,
    source: 'live',
    seq,
    high,
    low,
    open,
    close: price(c, p + IDX48.close),
  };
  if (lastTradeTime !== 0) t.lastTradeTime = lastTradeTime;
  t.upperCircuit = price(c, p + IDX48.upperCircuit);
  t.lowerCircuit = price(c, p + IDX48.lowerCircuit);
  t.yearHigh = price(c, p + IDX48.yearHigh);
  t.yearLow = price(c, p + IDX48.yearLow);
  if (exchangeTime !== 0) t.exchangeTime = exchangeTime;
  return t;
};

/** The packet at `p`, of a known length, for its token's `run` (string and seq state). */
const decodePacket = (c: Ctx, p: number, length: number, run: TokenRun): Tick => {
  switch (length) {
    case 8:
      return decodeLtp(c, p, run);
    case 44:
      return decodeQuote(c, p, run);
    case 28:
      return decodeIndex28(c, p, run);
    case 32:
      return decodeIndex32(c, p, run);
    case 48:
      return decodeIndex48(c, p, run);
    default: // 184 or 200
      return decodeFull(c, p, run, length);
  }
};

const isKnownLength = (length: number): boolean =>
  length === 184 ||
  length === 44 ||
  length === 8 ||
  length === 32 ||
  length === 200 ||
  length === 28 ||
  length === 48;

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
  const malformed: MalformedPacket[] = [];
  const size = frame.byteLength;
  if (size < FRAME_HEADER_BYTES) return { ticks: [], malformed, heartbeat: true };
  const view = new DataView(frame.buffer, frame.byteOffset, size);
  const c: Ctx = {
    view,
    div: options.priceDivisor,
    epoch: FEED_EPOCH_UNIX_SECONDS[options.tickTimeZone],
    receivedAt,
  };
  const count = view.getUint16(0);
  // Sized once: a tick's packet takes at least 10 bytes (length prefix + 8), so this bounds it.
  const ticks = new Array<Tick>(Math.min(count, Math.floor((size - FRAME_HEADER_BYTES) / 10)));
  let read = 0;
  let offset = FRAME_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (offset + PACKET_LENGTH_BYTES > size) {
      malformed.push({
        offset,
        length: size - offset,
        reason: `frame announces ${count} packets but holds only ${i}`,
      });
      ticks.length = read;
      return { ticks, malformed, heartbeat: false };
    }
    const length = view.getUint16(offset);
    const p = offset + PACKET_LENGTH_BYTES;
    if (p + length > size) {
      malformed.push({ offset, length, reason: `packet of ${length} bytes runs past the end of the frame` });
      ticks.length = read;
      return { ticks, malformed, heartbeat: false };
    }
    if (!isKnownLength(length)) {
      malformed.push({ offset, length, reason: `unknown packet length ${length}` });
    } else {
      const n = view.getInt32(p);
      if (n <= 0) malformed.push({ offset, length, reason: `invalid instrument token ${n}` });
      else ticks[read++] = decodePacket(c, p, length, sequencer.runOf(n));
    }
    offset = p + length;
  }
  if (offset < size) {
    malformed.push({ offset, length: size - offset, reason: `${size - offset} bytes after the last packet` });
  }
  ticks.length = read;
  return { ticks, malformed, heartbeat: false };
};
