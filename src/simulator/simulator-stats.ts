import type { InstrumentKind } from '../domain/instrument.ts';
import type { SubscriptionMode } from '../ports/broker-feed.ts';
import type { ActiveFaults } from './fault-state.ts';
import { averagePrice, changeOf, type LiveQuote } from './market-model.ts';
import { depthOf } from './quote-packets.ts';

/** Per-token counts the feed keeps as it sends. */
export interface TokenCounters {
  /** Packets sent to clients (all clients together, malformed frames' good packets included). */
  sent: number;
  /** Packets held back by the drop-share fault. */
  dropped: number;
  /** Packets held back by the silence-token fault. */
  suppressed: number;
  /** Packets sent with a price outside the circuit limits (out-of-band fault). */
  outOfBandSent: number;
}

export interface DepthLevelStats {
  readonly quantity: number;
  readonly price: number;
  readonly orders: number;
}

/**
 * A token's counts and its current values, named and scaled as the decoded `Tick` has them
 * (rupees; times in epoch ms as a decoder with the same tick-time-zone setting reads them), so a
 * test can compare the last tick it decoded with these field by field.
 */
export interface TokenStats extends TokenCounters {
  readonly symbol: string;
  readonly kind: InstrumentKind;
  /** Ticks the market generated for the token (whether or not anyone was subscribed). */
  readonly ticks: number;
  readonly ltp: number;
  readonly volume: number;
  readonly lastTradedQuantity: number;
  readonly averagePrice: number;
  readonly totalBuyQuantity: number;
  readonly totalSellQuantity: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  /** The previous session's close. */
  readonly close: number;
  readonly change: number;
  readonly upperCircuit: number;
  readonly lowerCircuit: number;
  readonly yearHigh: number;
  readonly yearLow: number;
  /** Futures and options (0 for the rest): open interest and its range today, in contracts. */
  readonly openInterest: number;
  readonly openInterestDayHigh: number;
  readonly openInterestDayLow: number;
  readonly exchangeTime: number | null;
  readonly lastTradeTime: number | null;
  readonly depth: { readonly bids: readonly DepthLevelStats[]; readonly asks: readonly DepthLevelStats[] };
}

export interface ClientStats {
  readonly id: number;
  /** Market-clock time of the handshake. */
  readonly connectedAt: number;
  readonly closedAt: number | null;
  readonly loggedIn: boolean;
  readonly subscribed: readonly number[];
  readonly modes: Readonly<Record<string, SubscriptionMode>>;
  /** The one mode of every subscribed token, 'mixed', or null when nothing is subscribed. */
  readonly mode: SubscriptionMode | 'mixed' | null;
  /** Every text message the client sent, in order (the last 1000). */
  readonly messages: readonly string[];
  readonly framesSent: number;
  readonly packetsSent: number;
  readonly heartbeatsSent: number;
  readonly framesDroppedForBackpressure: number;
}

/** One WebSocket and the tokens subscribed on it now, so a test can see who follows what. */
export interface ConnectionStats {
  /** The `clients[]` id, as a string. */
  readonly id: string;
  /** Open now; a closed connection (kept among the last 100) follows nothing. */
  readonly open: boolean;
  /** Subscribed now, in subscription order; empty once the socket is not open. */
  readonly tokens: readonly number[];
}

export interface RestRecord {
  /** Wall-clock ms when the request arrived. */
  readonly at: number;
  readonly method: string;
  /** A route name: 'connect/login', 'historical', 'sim/stats', ... */
  readonly route: string;
  readonly path: string;
  readonly status: number;
  /** Candles answered, for historical and intraday calls that succeeded. */
  readonly bars?: number;
}

export interface FeedTotals {
  readonly ticks: number;
  readonly packetsSent: number;
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly heartbeatsSent: number;
  readonly malformedFramesSent: number;
  readonly handshakesAccepted: number;
  readonly handshakesRefused: number;
}

export interface SimulatorStats {
  /** Market-clock time of this snapshot. */
  readonly now: number;
  readonly marketOpen: boolean;
  readonly tokens: Readonly<Record<string, TokenStats>>;
  readonly clients: readonly ClientStats[];
  readonly connections: readonly ConnectionStats[];
  readonly totals: FeedTotals;
  readonly rest: {
    readonly counts: Readonly<Record<string, number>>;
    readonly requests: readonly RestRecord[];
  };
  readonly faults: ActiveFaults;
  readonly liveSessions: number;
}

const rupees = (paise: number): number => paise / 100;
const time = (ms: number): number | null => (ms === 0 ? null : ms);

export const tokenStats = (q: LiveQuote, counters: TokenCounters): TokenStats => {
  const depth = depthOf(q);
  const level = (e: { quantity: number; price: number; orders: number }): DepthLevelStats => ({
    quantity: e.quantity,
    price: rupees(e.price),
    orders: e.orders,
  });
  return {
    symbol: q.instrument.symbol,
    kind: q.instrument.kind,
    ticks: q.ticks,
    ...counters,
    ltp: rupees(q.ltp),
    volume: q.volume,
    lastTradedQuantity: q.lastTradedQuantity,
    averagePrice: rupees(averagePrice(q)),
    totalBuyQuantity: q.totalBuyQuantity,
    totalSellQuantity: q.totalSellQuantity,
    open: rupees(q.open),
    high: rupees(q.high),
    low: rupees(q.low),
    close: rupees(q.close),
    change: rupees(changeOf(q)),
    upperCircuit: rupees(q.upperCircuit),
    lowerCircuit: rupees(q.lowerCircuit),
    yearHigh: rupees(q.yearHigh),
    yearLow: rupees(q.yearLow),
    openInterest: q.openInterest,
    openInterestDayHigh: q.openInterestDayHigh,
    openInterestDayLow: q.openInterestDayLow,
    exchangeTime: time(q.exchangeTime),
    lastTradeTime: time(q.lastTradeTime),
    depth: { bids: depth.bids.map(level), asks: depth.asks.map(level) },
  };
};
