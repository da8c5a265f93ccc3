import { nextSeq, type TickSequencer, type TokenRun } from '../../../domain/tick-sequencer.ts';
import type { Exchange, InstrumentToken } from '../../../domain/instrument.ts';
import type { DepthLevel, Tick } from '../../../domain/tick.ts';
import type { EpochMs, Rupees } from '../../../domain/units.ts';
import { FEED_EPOCH_UNIX_SECONDS, type TickTimeZone } from '../../../protocol/mstock/feed-time.ts';
import type {
  DEPTH_ORDERS,
  DEPTH_PRICE,
  DEPTH_QUANTITY,
  FULL_EXTENDED_PACKET_BYTES,
  FULL_PACKET_BYTES,
  INDEX_EXTENDED_PACKET_BYTES,
  INDEX_FULL_PACKET_BYTES,
  INDEX_QUOTE_PACKET_BYTES,
  QUOTE_PACKET_BYTES,
} from '../../../protocol/mstock/packet-layout.ts';
import {
  DEPTH_ENTRY_BYTES,
  DEPTH_SIDE_BYTES,
  EQ_AVERAGE_PRICE,
  EQ_CLOSE,
  EQ_DEPTH,
  EQ_EXCHANGE_TIME,
  EQ_HIGH,
  EQ_LAST_TRADE_TIME,
  EQ_LAST_TRADED_QUANTITY,
  EQ_LOW,
  EQ_LOWER_CIRCUIT,
  EQ_LTP,
  EQ_OPEN,
  EQ_OPEN_INTEREST,
  EQ_OPEN_INTEREST_DAY_HIGH,
  EQ_OPEN_INTEREST_DAY_LOW,
  EQ_TOKEN,
  EQ_TOTAL_BUY_QUANTITY,
  EQ_TOTAL_SELL_QUANTITY,
  EQ_UPPER_CIRCUIT,
  EQ_VOLUME,
  EQ_YEAR_HIGH,
  EQ_YEAR_LOW,
  FRAME_HEADER_BYTES,
  IDX48_CLOSE,
  IDX48_EXCHANGE_TIME,
  IDX48_LAST_TRADE_TIME,
  IDX48_LOWER_CIRCUIT,
  IDX48_LTP,
  IDX48_OHL_1,
  IDX48_OHL_2,
  IDX48_OHL_3,
  IDX48_UPPER_CIRCUIT,
  IDX48_YEAR_HIGH,
  IDX48_YEAR_LOW,
  IDX_CHANGE,
  IDX_CLOSE,
  IDX_EXCHANGE_TIME,
  IDX_HIGH,
  IDX_LOW,
  IDX_LTP,
  IDX_OPEN,
  LTP_PACKET_BYTES,
  PACKET_LENGTH_BYTES,
} from '../../../protocol/mstock/packet-layout.ts';

export interface DecodeOptions {
  /** Seconds-since-1980 interpretation: 'ist' (NSE broadcast convention: unix = t + 315513000)
   *  or 'utc' (what the SDKs assume: unix = t + 315532800). Named setting MSTOCK_TICK_TIME_ZONE. */
  readonly tickTimeZone: TickTimeZone;
  /** Divisor for prices (100: paise → rupees, for NSE/BSE/NFO). */
  readonly priceDivisor: number;
  /**
   * The exchange of a subscribed token, from the selected instruments: a packet carries only the
   * token, so the exchange cannot come from the feed. Asked once per token (the answer is kept
   * with its seq state in the sequencer) and again while it answers undefined. Without it, ticks
   * carry no exchange.
   */
  readonly exchangeOf?: ((token: InstrumentToken) => Exchange | undefined) | undefined;
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
 * Literals where a number is used per packet or per depth level: V8 does not fold an imported
 * `const` to a constant but loads it at each use (measured: the length dispatch 5-15% slower on
 * short packets, the depth entry offsets ~5% on full ones). Each such literal is tied to its layout
 * constant by `satisfies`, so a change to the layout fails to compile here.
 *
 * Speed (bench/README.md, "Decode"): a packet's token is looked up once, as a number, in the
 * sequencer, which holds the token's string, its exchange and its seq state together. Each tick
 * is ONE object literal holding all its fields, so it is born with its final hidden class and no
 * out-of-object property store; `seq` is computed before it. Fields keep the order the decoder has
 * always used, since the wire JSON follows it. `exchange` is in every literal, undefined when not
 * known, so a tick's shape does not depend on whether the caller gave an `exchangeOf` (the wire
 * form writes it at a fixed place, or not at all).
 * A time the feed did not send (0) must be absent, which is another shape: those rare ticks take a
 * slower path that adds fields one by one (never `delete`, which would make a slow dictionary
 * object and decode 3x slower).
 */

const level = (c: Ctx, at: number): DepthLevel => ({
  quantity: c.view.getInt32(at + (0 satisfies typeof DEPTH_QUANTITY)),
  price: (c.view.getInt32(at + (4 satisfies typeof DEPTH_PRICE)) / c.div) as Rupees,
  // int16 order count, read unsigned: a count is never negative.
  orders: c.view.getUint16(at + (8 satisfies typeof DEPTH_ORDERS)),
});

/** A side's five (DEPTH_LEVELS) levels from `at`, as one array literal (no growing by push). */
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
    exchange: run.exchange,
    ltp: price(c, p + EQ_LTP),
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
    exchange: run.exchange,
    ltp: price(c, p + EQ_LTP),
    volume: v.getInt32(p + EQ_VOLUME),
    receivedAt: c.receivedAt,
    source: 'live',
    seq,
    lastTradedQuantity: v.getInt32(p + EQ_LAST_TRADED_QUANTITY),
    averagePrice: price(c, p + EQ_AVERAGE_PRICE),
    totalBuyQuantity: v.getInt32(p + EQ_TOTAL_BUY_QUANTITY),
    totalSellQuantity: v.getInt32(p + EQ_TOTAL_SELL_QUANTITY),
    open: price(c, p + EQ_OPEN),
    high: price(c, p + EQ_HIGH),
    low: price(c, p + EQ_LOW),
    close: price(c, p + EQ_CLOSE),
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
  return length === (184 satisfies typeof FULL_PACKET_BYTES)
    ? {
        token: run.token,
        exchange: run.exchange,
        ltp: price(c, p + EQ_LTP),
        volume: v.getInt32(p + EQ_VOLUME),
        receivedAt: c.receivedAt,
        source: 'live',
        seq,
        lastTradedQuantity: v.getInt32(p + EQ_LAST_TRADED_QUANTITY),
        averagePrice: price(c, p + EQ_AVERAGE_PRICE),
        totalBuyQuantity: v.getInt32(p + EQ_TOTAL_BUY_QUANTITY),
        totalSellQuantity: v.getInt32(p + EQ_TOTAL_SELL_QUANTITY),
        open: price(c, p + EQ_OPEN),
        high: price(c, p + EQ_HIGH),
        low: price(c, p + EQ_LOW),
        close: price(c, p + EQ_CLOSE),
        lastTradeTime: time(c, p + EQ_LAST_TRADE_TIME),
        openInterest: v.getInt32(p + EQ_OPEN_INTEREST),
        openInterestDayHigh: v.getInt32(p + EQ_OPEN_INTEREST_DAY_HIGH),
        openInterestDayLow: v.getInt32(p + EQ_OPEN_INTEREST_DAY_LOW),
        depth: { bids: depthSide(c, p + EQ_DEPTH), asks: depthSide(c, p + EQ_DEPTH + DEPTH_SIDE_BYTES) },
        exchangeTime,
      }
    : {
        token: run.token,
        exchange: run.exchange,
        ltp: price(c, p + EQ_LTP),
        volume: v.getInt32(p + EQ_VOLUME),
        receivedAt: c.receivedAt,
        source: 'live',
        seq,
        lastTradedQuantity: v.getInt32(p + EQ_LAST_TRADED_QUANTITY),
        averagePrice: price(c, p + EQ_AVERAGE_PRICE),
        totalBuyQuantity: v.getInt32(p + EQ_TOTAL_BUY_QUANTITY),
        totalSellQuantity: v.getInt32(p + EQ_TOTAL_SELL_QUANTITY),
        open: price(c, p + EQ_OPEN),
        high: price(c, p + EQ_HIGH),
        low: price(c, p + EQ_LOW),
        close: price(c, p + EQ_CLOSE),
        lastTradeTime: time(c, p + EQ_LAST_TRADE_TIME),
        openInterest: v.getInt32(p + EQ_OPEN_INTEREST),
        openInterestDayHigh: v.getInt32(p + EQ_OPEN_INTEREST_DAY_HIGH),
        openInterestDayLow: v.getInt32(p + EQ_OPEN_INTEREST_DAY_LOW),
        depth: { bids: depthSide(c, p + EQ_DEPTH), asks: depthSide(c, p + EQ_DEPTH + DEPTH_SIDE_BYTES) },
        upperCircuit: price(c, p + EQ_UPPER_CIRCUIT),
        lowerCircuit: price(c, p + EQ_LOWER_CIRCUIT),
        yearHigh: price(c, p + EQ_YEAR_HIGH),
        yearLow: price(c, p + EQ_YEAR_LOW),
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
  const lastTradeTime = time(c, p + EQ_LAST_TRADE_TIME);
  if (lastTradeTime !== 0) t.lastTradeTime = lastTradeTime;
  t.openInterest = v.getInt32(p + EQ_OPEN_INTEREST);
  t.openInterestDayHigh = v.getInt32(p + EQ_OPEN_INTEREST_DAY_HIGH);
  t.openInterestDayLow = v.getInt32(p + EQ_OPEN_INTEREST_DAY_LOW);
  t.depth = { bids: depthSide(c, p + EQ_DEPTH), asks: depthSide(c, p + EQ_DEPTH + DEPTH_SIDE_BYTES) };
  if (length === (200 satisfies typeof FULL_EXTENDED_PACKET_BYTES)) {
    t.upperCircuit = price(c, p + EQ_UPPER_CIRCUIT);
    t.lowerCircuit = price(c, p + EQ_LOWER_CIRCUIT);
    t.yearHigh = price(c, p + EQ_YEAR_HIGH);
    t.yearLow = price(c, p + EQ_YEAR_LOW);
  }
  if (exchangeTime !== 0) t.exchangeTime = exchangeTime;
  return t;
};

/** 184 and 200 bytes: the 200-byte packet adds circuit limits and the 52-week range. */
const decodeFull = (c: Ctx, p: number, run: TokenRun, length: number): Tick => {
  const exchangeTime = time(c, p + EQ_EXCHANGE_TIME);
  const seq = nextSeq(run, exchangeTime === 0 ? c.receivedAt : exchangeTime);
  return exchangeTime !== 0 && c.view.getInt32(p + EQ_LAST_TRADE_TIME) !== 0
    ? fullTick(c, p, run, seq, length, exchangeTime)
    : sparseFullTick(c, p, run, seq, length, exchangeTime);
};

/** The 28-byte index packet, and the 32-byte one whose time is 0 (not sent). */
const indexQuoteTick = (c: Ctx, p: number, run: TokenRun, seq: number): Tick => ({
  token: run.token,
  exchange: run.exchange,
  ltp: price(c, p + IDX_LTP),
  volume: 0,
  receivedAt: c.receivedAt,
  source: 'live',
  seq,
  high: price(c, p + IDX_HIGH),
  low: price(c, p + IDX_LOW),
  open: price(c, p + IDX_OPEN),
  close: price(c, p + IDX_CLOSE),
  change: price(c, p + IDX_CHANGE),
});

/** Index packets carry no volume: the tick says 0. The change field is signed (the SDKs err here). */
const decodeIndex28 = (c: Ctx, p: number, run: TokenRun): Tick =>
  indexQuoteTick(c, p, run, nextSeq(run, c.receivedAt));

const decodeIndex32 = (c: Ctx, p: number, run: TokenRun): Tick => {
  const exchangeTime = time(c, p + IDX_EXCHANGE_TIME);
  if (exchangeTime === 0) return indexQuoteTick(c, p, run, nextSeq(run, c.receivedAt));
  return {
    token: run.token,
    exchange: run.exchange,
    ltp: price(c, p + IDX_LTP),
    volume: 0,
    receivedAt: c.receivedAt,
    source: 'live',
    seq: nextSeq(run, exchangeTime),
    high: price(c, p + IDX_HIGH),
    low: price(c, p + IDX_LOW),
    open: price(c, p + IDX_OPEN),
    close: price(c, p + IDX_CLOSE),
    change: price(c, p + IDX_CHANGE),
    exchangeTime,
  };
};

/** The 48-byte index packet: open, high and low in an order sources disagree on (packet-layout.ts). */
const decodeIndex48 = (c: Ctx, p: number, run: TokenRun): Tick => {
  const v = c.view;
  const exchangeTime = time(c, p + IDX48_EXCHANGE_TIME);
  const lastTradeTime = time(c, p + IDX48_LAST_TRADE_TIME);
  const seq = nextSeq(run, exchangeTime === 0 ? c.receivedAt : exchangeTime);
  const a = v.getInt32(p + IDX48_OHL_1);
  const b = v.getInt32(p + IDX48_OHL_2);
  const d = v.getInt32(p + IDX48_OHL_3);
  const hi = Math.max(a, b, d);
  const lo = Math.min(a, b, d);
  const high = (hi / c.div) as Rupees;
  const low = (lo / c.div) as Rupees;
  const open = ((a + b + d - hi - lo) / c.div) as Rupees;
  if (exchangeTime !== 0 && lastTradeTime !== 0) {
    return {
      token: run.token,
      exchange: run.exchange,
      ltp: price(c, p + IDX48_LTP),
      volume: 0,
      receivedAt: c.receivedAt,
      source: 'live',
      seq,
      high,
      low,
      open,
      close: price(c, p + IDX48_CLOSE),
      lastTradeTime,
      upperCircuit: price(c, p + IDX48_UPPER_CIRCUIT),
      lowerCircuit: price(c, p + IDX48_LOWER_CIRCUIT),
      yearHigh: price(c, p + IDX48_YEAR_HIGH),
      yearLow: price(c, p + IDX48_YEAR_LOW),
      exchangeTime,
    };
  }
  // Rare: a time not sent. The same fields in the same order, without it.
  const t: MutableTick = {
    token: run.token,
    exchange: run.exchange,
    ltp: price(c, p + IDX48_LTP),
    volume: 0,
    receivedAt: c.receivedAt,
    source: 'live',
    seq,
    high,
    low,
    open,
    close: price(c, p + IDX48_CLOSE),
  };
  if (lastTradeTime !== 0) t.lastTradeTime = lastTradeTime;
  t.upperCircuit = price(c, p + IDX48_UPPER_CIRCUIT);
  t.lowerCircuit = price(c, p + IDX48_LOWER_CIRCUIT);
  t.yearHigh = price(c, p + IDX48_YEAR_HIGH);
  t.yearLow = price(c, p + IDX48_YEAR_LOW);
  if (exchangeTime !== 0) t.exchangeTime = exchangeTime;
  return t;
};

/** The packet at `p`, of a known length, for its token's `run` (string and seq state). */
const decodePacket = (c: Ctx, p: number, length: number, run: TokenRun): Tick => {
  switch (length) {
    case 8 satisfies typeof LTP_PACKET_BYTES:
      return decodeLtp(c, p, run);
    case 44 satisfies typeof QUOTE_PACKET_BYTES:
      return decodeQuote(c, p, run);
    case 28 satisfies typeof INDEX_QUOTE_PACKET_BYTES:
      return decodeIndex28(c, p, run);
    case 32 satisfies typeof INDEX_FULL_PACKET_BYTES:
      return decodeIndex32(c, p, run);
    case 48 satisfies typeof INDEX_EXTENDED_PACKET_BYTES:
      return decodeIndex48(c, p, run);
    default: // FULL_PACKET_BYTES or FULL_EXTENDED_PACKET_BYTES
      return decodeFull(c, p, run, length);
  }
};

const isKnownLength = (length: number): boolean =>
  length === (184 satisfies typeof FULL_PACKET_BYTES) ||
  length === (44 satisfies typeof QUOTE_PACKET_BYTES) ||
  length === (8 satisfies typeof LTP_PACKET_BYTES) ||
  length === (32 satisfies typeof INDEX_FULL_PACKET_BYTES) ||
  length === (200 satisfies typeof FULL_EXTENDED_PACKET_BYTES) ||
  length === (28 satisfies typeof INDEX_QUOTE_PACKET_BYTES) ||
  length === (48 satisfies typeof INDEX_EXTENDED_PACKET_BYTES);

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
  const exchangeOf = options.exchangeOf;
  const count = view.getUint16(0);
  // Sized once: a tick's packet takes at least its length prefix + the 8-byte ltp packet.
  const ticks = new Array<Tick>(
    Math.min(count, Math.floor((size - FRAME_HEADER_BYTES) / (PACKET_LENGTH_BYTES + LTP_PACKET_BYTES))),
  );
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
      const n = view.getInt32(p + EQ_TOKEN); // every kind starts with it (IDX_TOKEN, IDX48_TOKEN: 0)
      if (n <= 0) malformed.push({ offset, length, reason: `invalid instrument token ${n}` });
      else {
        const run = sequencer.runOf(n);
        if (run.exchange === undefined && exchangeOf !== undefined) run.exchange = exchangeOf(run.token);
        ticks[read++] = decodePacket(c, p, length, run);
      }
    }
    offset = p + length;
  }
  if (offset < size) {
    malformed.push({ offset, length: size - offset, reason: `${size - offset} bytes after the last packet` });
  }
  ticks.length = read;
  return { ticks, malformed, heartbeat: false };
};
