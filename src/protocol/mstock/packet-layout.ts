/**
 * The m.Stock Type A binary feed as mstock-protocol.md ("Binary frames") lays it out: the one
 * reading of the layout that the client's decoder and the simulator's encoder share, so a misread
 * offset shows up against the hand-written golden frames (test/unit/mstock-binary), not in both.
 *
 * Byte order: every integer is big-endian ("all integers big-endian"), which is DataView's default,
 * so no reader or writer passes a littleEndian flag. Integers are signed 32-bit unless noted.
 * Offsets count from the start of a packet, after its length prefix. They are plain `const`
 * numbers, not fields of an object, so the decoder's hot loop reads no property to find them.
 */

// Frame: `uint16 count`, then `count` times `uint16 length` + `length` bytes of packet.
export const FRAME_HEADER_BYTES = 2;
export const PACKET_LENGTH_BYTES = 2;
/** The largest count (and packet length) a uint16 can carry. */
export const MAX_PACKETS_PER_FRAME = 0xffff;
export const MAX_PACKET_BYTES = 0xffff;

// Packet lengths. The kind is known only from the length; the server may send any of them.
/** ltp: the first two fields of the equity packet. */
export const LTP_PACKET_BYTES = 8;
export const QUOTE_PACKET_BYTES = 44;
export const FULL_PACKET_BYTES = 184;
/** full + upper/lower circuit and 52-week high/low. */
export const FULL_EXTENDED_PACKET_BYTES = 200;
export const INDEX_QUOTE_PACKET_BYTES = 28;
export const INDEX_FULL_PACKET_BYTES = 32;
/** m.Stock's extended index packet. */
export const INDEX_EXTENDED_PACKET_BYTES = 48;

export type PacketKind = 'ltp8' | 'quote44' | 'full184' | 'full200' | 'index28' | 'index32' | 'index48';

export const PACKET_LENGTH: Readonly<Record<PacketKind, number>> = {
  ltp8: LTP_PACKET_BYTES,
  quote44: QUOTE_PACKET_BYTES,
  full184: FULL_PACKET_BYTES,
  full200: FULL_EXTENDED_PACKET_BYTES,
  index28: INDEX_QUOTE_PACKET_BYTES,
  index32: INDEX_FULL_PACKET_BYTES,
  index48: INDEX_EXTENDED_PACKET_BYTES,
};

export const PACKET_KINDS: readonly PacketKind[] = [
  'ltp8',
  'quote44',
  'full184',
  'full200',
  'index28',
  'index32',
  'index48',
];

// Equity / F&O packet (the doc's offset table). Prices in paise, times in feed seconds (feed-time.ts).
export const EQ_TOKEN = 0;
export const EQ_LTP = 4;
export const EQ_LAST_TRADED_QUANTITY = 8;
export const EQ_AVERAGE_PRICE = 12;
/** Cumulative for the day. */
export const EQ_VOLUME = 16;
export const EQ_TOTAL_BUY_QUANTITY = 20;
export const EQ_TOTAL_SELL_QUANTITY = 24;
export const EQ_OPEN = 28;
export const EQ_HIGH = 32;
export const EQ_LOW = 36;
/** The previous day's close. */
export const EQ_CLOSE = 40;
export const EQ_LAST_TRADE_TIME = 44;
export const EQ_OPEN_INTEREST = 48;
export const EQ_OPEN_INTEREST_DAY_HIGH = 52;
export const EQ_OPEN_INTEREST_DAY_LOW = 56;
export const EQ_EXCHANGE_TIME = 60;
/** Depth: DEPTH_LEVELS bids, then DEPTH_LEVELS asks. */
export const EQ_DEPTH = 64;
// 200-byte packet only:
export const EQ_UPPER_CIRCUIT = 184;
export const EQ_LOWER_CIRCUIT = 188;
export const EQ_YEAR_HIGH = 192;
export const EQ_YEAR_LOW = 196;

// A depth entry: int32 quantity, int32 price (paise), int16 orders, int16 padding.
export const DEPTH_LEVELS = 5;
export const DEPTH_ENTRY_BYTES = 12;
export const DEPTH_SIDE_BYTES = DEPTH_LEVELS * DEPTH_ENTRY_BYTES;
export const DEPTH_QUANTITY = 0;
export const DEPTH_PRICE = 4;
export const DEPTH_ORDERS = 8;
export const DEPTH_PADDING = 10;

// Index packet, 28 (quote) and 32 (full) bytes.
export const IDX_TOKEN = 0;
export const IDX_LTP = 4;
export const IDX_HIGH = 8;
export const IDX_LOW = 12;
export const IDX_OPEN = 16;
export const IDX_CLOSE = 20;
/** Signed: the SDKs read it unsigned, which turns a fall into a huge rise. */
export const IDX_CHANGE = 24;
/** 32-byte packet only. */
export const IDX_EXCHANGE_TIME = 28;

// Index packet, 48 bytes. Open, high and low sit at the three OHL slots in an order the sources
// disagree on: a reader takes high = max, low = min, open = the remaining one.
export const IDX48_TOKEN = 0;
export const IDX48_LTP = 4;
export const IDX48_OHL_1 = 8;
export const IDX48_OHL_2 = 12;
export const IDX48_OHL_3 = 16;
export const IDX48_CLOSE = 20;
export const IDX48_LAST_TRADE_TIME = 24;
export const IDX48_EXCHANGE_TIME = 28;
export const IDX48_UPPER_CIRCUIT = 32;
export const IDX48_LOWER_CIRCUIT = 36;
export const IDX48_YEAR_HIGH = 40;
export const IDX48_YEAR_LOW = 44;

/**
 * Prices are paise: ÷100 gives rupees for NSE, BSE and NFO, whatever the token (not Kite's
 * "segment from token & 0xFF" divisor, which the SDKs copy and which is wrong for m.Stock).
 */
export const PAISE_PER_RUPEE = 100;
