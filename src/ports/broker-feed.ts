import type { ServiceIdentifier } from 'inversify';
import type { FeedGap } from '../domain/feed-events.ts';
import type { InstrumentToken } from '../domain/instrument.ts';
import type { Tick } from '../domain/tick.ts';
import type { EpochMs } from '../domain/units.ts';

export type SubscriptionMode = 'ltp' | 'quote' | 'full';

/**
 * One stream for everything a feed says: ticks (one message per frame, so the hot path awaits once
 * per frame, not per tick), connection changes, and the gaps they leave. Live, replay and the
 * simulator all produce this same stream.
 */
export type FeedMessage =
  | { readonly kind: 'ticks'; readonly ticks: readonly Tick[]; readonly receivedAt: EpochMs }
  | { readonly kind: 'connected'; readonly at: EpochMs; readonly attempt: number }
  | { readonly kind: 'disconnected'; readonly at: EpochMs; readonly reason: string }
  | { readonly kind: 'gap'; readonly gap: FeedGap };

export interface Subscription {
  readonly tokens: readonly InstrumentToken[];
  readonly mode: SubscriptionMode;
}

export interface BrokerFeed {
  /**
   * Connects, subscribes and yields messages until `signal` aborts, reconnecting by itself. The
   * iterator ends only on abort (or, for a finite source such as a replay file, at its end).
   */
  messages(subscription: Subscription, signal: AbortSignal): AsyncIterable<FeedMessage>;
  /**
   * Asks the source again for these tokens of the open streams (a live feed that acknowledges no
   * subscription); returns whether it could. Sources without subscriptions leave it out.
   */
  resubscribe?(tokens: readonly InstrumentToken[]): boolean;
  /**
   * Adds these tokens to every open stream, on its current socket and after each reconnect, in the
   * stream's mode; their ticks and gaps follow from then on. Returns whether any stream took them.
   * Sources without subscriptions leave it out.
   */
  subscribe?(tokens: readonly InstrumentToken[]): boolean;
  /**
   * Takes these tokens out of every open stream: the source is told to stop sending them, and no
   * tick or gap of theirs is yielded from then on. Returns whether any stream had them.
   */
  unsubscribe?(tokens: readonly InstrumentToken[]): boolean;
  /**
   * Replaces the open connections that have shown no tick for `quietForMs` (since their last tick,
   * or their connect): a socket that stays open and sends heartbeats but no data is alive only to
   * a watchdog that counts frames. Returns whether it replaced one. Sources without connections
   * leave it out.
   */
  replaceQuietConnections?(quietForMs: number): boolean;
}
export const BrokerFeedId: ServiceIdentifier<BrokerFeed> = Symbol.for('tickflow.BrokerFeed');
