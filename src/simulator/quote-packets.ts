import type { DepthEntryFields, PacketFields } from './encode-frame.ts';
import { epochMsToFeedSeconds, type TickTimeZone } from '../protocol/mstock/feed-time.ts';
import type { PacketKind } from '../protocol/mstock/packet-layout.ts';
import type { InstrumentKind } from '../domain/instrument.ts';
import type { SubscriptionMode } from '../ports/broker-feed.ts';
import { averagePrice, type LiveQuote } from './market-model.ts';
import { TICK_PAISE } from './reference-prices.ts';
import { mix32 } from './seeded-random.ts';

/** Which long packets the simulator sends for `full` (open question 2 of the protocol doc). */
export interface PacketChoice {
  readonly fullEquityPacket: 'full184' | 'full200';
  readonly fullIndexPacket: 'index32' | 'index48';
}

/** ltp → 8 bytes; quote → 44 (equity) / 28 (index); full → 184 or 200 / 32 or 48. */
export const packetKindFor = (
  mode: SubscriptionMode,
  kind: InstrumentKind,
  choice: PacketChoice,
): PacketKind => {
  switch (mode) {
    case 'ltp':
      return 'ltp8';
    case 'quote':
      return kind === 'index' ? 'index28' : 'quote44';
    case 'full':
      return kind === 'index' ? choice.fullIndexPacket : choice.fullEquityPacket;
  }
};

/**
 * Five bids below and five asks above the last price, one tick apart. Quantities and order counts
 * come from a hash of (token, tick number, level): every client and the stats see the same book.
 */
export const depthOf = (
  q: LiveQuote,
): { readonly bids: DepthEntryFields[]; readonly asks: DepthEntryFields[] } => {
  const bids: DepthEntryFields[] = [];
  const asks: DepthEntryFields[] = [];
  if (q.instrument.kind === 'index') return { bids, asks };
  const salt = Math.imul(q.instrument.token, 0x9e3779b1) ^ Math.imul(q.ticks, 0x85ebca6b);
  for (let i = 0; i < 5; i++) {
    const hb = mix32(salt + i);
    const ha = mix32(salt + 16 + i);
    bids.push({
      quantity: 1 + (hb % 2_000),
      price: q.ltp - TICK_PAISE * (i + 1),
      orders: 1 + ((hb >>> 24) % 25),
    });
    asks.push({
      quantity: 1 + (ha % 2_000),
      price: q.ltp + TICK_PAISE * (i + 1),
      orders: 1 + ((ha >>> 24) % 25),
    });
  }
  return { bids, asks };
};

/**
 * A quote's packet fields in feed units. `ltp` may be overridden (out-of-band fault). Depth is
 * built only when asked for: it is the costly part and only full packets carry it.
 */
export const quoteFields = (
  q: LiveQuote,
  zone: TickTimeZone,
  withDepth: boolean,
  ltp: number = q.ltp,
): PacketFields => {
  const toFeed = (ms: number): number => (ms === 0 ? 0 : epochMsToFeedSeconds(ms, zone));
  const base = {
    token: q.instrument.token,
    ltp,
    lastTradedQuantity: q.lastTradedQuantity,
    averagePrice: averagePrice(q),
    volume: q.volume,
    totalBuyQuantity: q.totalBuyQuantity,
    totalSellQuantity: q.totalSellQuantity,
    open: q.open,
    high: q.high,
    low: q.low,
    close: q.close,
    change: ltp - q.close,
    lastTradeTime: toFeed(q.lastTradeTime),
    openInterest: q.openInterest,
    openInterestDayHigh: q.openInterestDayHigh,
    openInterestDayLow: q.openInterestDayLow,
    exchangeTime: toFeed(q.exchangeTime),
    upperCircuit: q.upperCircuit,
    lowerCircuit: q.lowerCircuit,
    yearHigh: q.yearHigh,
    yearLow: q.yearLow,
  };
  return withDepth ? { ...base, depth: depthOf(q) } : base;
};
