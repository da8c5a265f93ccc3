/**
 * Byte layout of m.Stock Type A feed packets (mstock-protocol.md, "Binary frames"). All integers
 * are big-endian; the packet kind is known only from its length.
 */
export type PacketKind = 'ltp8' | 'quote44' | 'full184' | 'full200' | 'index28' | 'index32' | 'index48';

export const PACKET_LENGTH: Readonly<Record<PacketKind, number>> = {
  ltp8: 8,
  quote44: 44,
  full184: 184,
  full200: 200,
  index28: 28,
  index32: 32,
  index48: 48,
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

/** Frame header: uint16 packet count; each packet is preceded by its uint16 length. */
export const FRAME_HEADER_BYTES = 2;
export const PACKET_LENGTH_BYTES = 2;

/** Equity / F&O packet offsets (8 = ltp, 44 = quote, 184 = full, 200 = full + extras). */
export const EQ = {
  token: 0,
  ltp: 4,
  lastTradedQuantity: 8,
  averagePrice: 12,
  volume: 16,
  totalBuyQuantity: 20,
  totalSellQuantity: 24,
  open: 28,
  high: 32,
  low: 36,
  close: 40,
  lastTradeTime: 44,
  openInterest: 48,
  openInterestDayHigh: 52,
  openInterestDayLow: 56,
  exchangeTime: 60,
  depth: 64,
  upperCircuit: 184,
  lowerCircuit: 188,
  yearHigh: 192,
  yearLow: 196,
} as const;

/** Depth: 5 bids then 5 asks, 12 bytes each: int32 qty, int32 price, int16 orders, int16 padding. */
export const DEPTH_LEVELS = 5;
export const DEPTH_ENTRY_BYTES = 12;

/** Index packet offsets for the 28 (quote) and 32 (full) byte packets. */
export const IDX = {
  token: 0,
  ltp: 4,
  high: 8,
  low: 12,
  open: 16,
  close: 20,
  change: 24,
  exchangeTime: 28,
} as const;

/**
 * The 48-byte index packet. Sources disagree on which of open/high/low sits at 8, 12 and 16, so
 * the decoder takes high = max, low = min and open = the remaining one.
 */
export const IDX48 = {
  token: 0,
  ltp: 4,
  ohl: [8, 12, 16],
  close: 20,
  lastTradeTime: 24,
  exchangeTime: 28,
  upperCircuit: 32,
  lowerCircuit: 36,
  yearHigh: 40,
  yearLow: 44,
} as const;
