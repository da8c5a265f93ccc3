import type { Exchange, InstrumentToken } from '../../domain/instrument.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { FeedMessage, SubscriptionMode } from '../../ports/broker-feed.ts';
import type { TickTimeZone } from '../../protocol/mstock/feed-time.ts';

/** A `messages()` stream as it starts: what it subscribes and how its frames are decoded. */
export interface TappedStream {
  /** The subscribed tokens, without repeats: the only ones whose ticks the stream yields. */
  readonly tokens: readonly InstrumentToken[];
  readonly mode: SubscriptionMode;
  readonly tickTimeZone: TickTimeZone;
  readonly priceDivisor: number;
  /** The exchange the live ticks of each token were stamped with (tokens of unknown exchange left out). */
  readonly exchanges: Readonly<Record<string, Exchange>>;
  readonly at: EpochMs;
}

export type FeedStatusMessage = Exclude<FeedMessage, { readonly kind: 'ticks' }>;

/**
 * Sees what the live feed reads, in the order it reads it, so a session can be recorded and
 * decoded again later (src/adapters/recording/): each stream's start, every frame as it arrived
 * (before decoding; text frames as UTF-8), and each connection change just before it is yielded.
 * Called synchronously on the hot path: an implementation must neither block nor throw.
 */
export interface FeedTap {
  streamStarted(stream: TappedStream): void;
  frame(bytes: Uint8Array, receivedAt: EpochMs, kind: 'binary' | 'text'): void;
  status(message: FeedStatusMessage): void;
}
