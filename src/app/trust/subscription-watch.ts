import type { InstrumentToken } from '../../domain/instrument.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import type { Tick } from '../../domain/tick.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { FeedMessage } from '../../ports/broker-feed.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Gauge, Metrics } from '../../ports/metrics.ts';

/** Retries back off to this at most, so an instrument the broker never quotes is not asked for every second. */
const MAX_RETRY_MS = 300_000;

/**
 * Subscriptions as intent. m.Stock acknowledges no subscription, so after every connect each
 * wanted instrument must show a packet within `confirmMs` of the connect (or of the open, when it
 * connected before): in market hours, the ones that did not are subscribed again through
 * `resubscribe`, counted and logged, with the wait doubling each time. Outside market hours
 * quiet instruments are normal and nothing is asked.
 */
export class SubscriptionWatch {
  private readonly tokens: Set<InstrumentToken>;
  private readonly confirmMs: number;
  private readonly session: MarketSession;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly resubscribe: (tokens: readonly InstrumentToken[]) => boolean;
  private readonly retries: Counter;
  private readonly unconfirmed: Gauge;
  private pending = new Set<string>();
  private deadline: EpochMs | undefined;
  private waitMs: number;

  constructor(
    deps: {
      readonly session: MarketSession;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly metrics: Metrics;
      readonly resubscribe: (tokens: readonly InstrumentToken[]) => boolean;
    },
    settings: { readonly tokens: readonly InstrumentToken[]; readonly confirmMs: number },
  ) {
    this.tokens = new Set(settings.tokens);
    this.confirmMs = settings.confirmMs;
    this.waitMs = settings.confirmMs;
    this.session = deps.session;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.resubscribe = deps.resubscribe;
    this.retries = deps.metrics.counter(
      'subscription_retries_total',
      'Instruments subscribed again after showing no packet following a connect',
    );
    this.unconfirmed = deps.metrics.gauge(
      'subscription_unconfirmed',
      'Wanted instruments that have shown no packet since the last connect',
    );
  }

  /** Every tick the feed decoded, before validation: any packet proves the subscription. */
  saw(ticks: readonly Tick[]): void {
    if (this.pending.size === 0) return;
    for (const t of ticks) this.pending.delete(t.token);
    if (this.pending.size === 0) this.unconfirmed.set(0);
  }

  observe(message: FeedMessage): void {
    if (message.kind === 'connected') {
      this.pending = new Set(this.tokens);
      this.deadline = (message.at + this.confirmMs) as EpochMs;
      this.waitMs = this.confirmMs;
      this.unconfirmed.set(this.pending.size);
    } else if (message.kind === 'disconnected') {
      this.pending.clear();
      this.deadline = undefined;
    }
  }

  /**
   * Instruments added to or removed from the running feed: an added one must show a packet within
   * `confirmMs` of now (its subscribe was just sent), a removed one is no longer waited for.
   */
  follow(added: readonly InstrumentToken[], removed: readonly InstrumentToken[]): void {
    for (const t of removed) {
      this.tokens.delete(t);
      this.pending.delete(t);
    }
    const fresh = added.filter((t) => !this.tokens.has(t));
    for (const t of fresh) this.tokens.add(t);
    // Not connected: the next connect asks for every wanted token anyway.
    if (this.deadline !== undefined && fresh.length > 0) {
      for (const t of fresh) this.pending.add(t);
      this.deadline = Math.max(this.deadline, this.clock.now() + this.confirmMs) as EpochMs;
    }
    this.unconfirmed.set(this.pending.size);
  }

  /** Called every second: asks again for what is still unconfirmed past its time. */
  check(): void {
    if (this.pending.size === 0 || this.deadline === undefined) return;
    const now = this.clock.now();
    if (!this.session.isOpen(now)) return;
    const day = this.session.tradingDayOf(now);
    // Connected before the open: the instruments get their whole wait from the open.
    const open = day === undefined ? 0 : this.session.sessionBounds(day).open;
    if (now < Math.max(this.deadline, open + this.confirmMs)) return;
    const missing = [...this.pending] as InstrumentToken[];
    this.unconfirmed.set(missing.length);
    const sent = this.resubscribe(missing);
    this.retries.inc(missing.length);
    this.logger.warn('Instruments showed no packet after subscribing; subscribing again', {
      instruments: missing.length,
      tokens: missing.slice(0, 20).join(','),
      sent,
      nextCheckMs: Math.min(MAX_RETRY_MS, this.waitMs * 2),
    });
    this.waitMs = Math.min(MAX_RETRY_MS, this.waitMs * 2);
    this.deadline = (now + this.waitMs) as EpochMs;
  }

  /** The wanted instruments not yet confirmed since the last connect. */
  unconfirmedTokens(): InstrumentToken[] {
    return [...this.pending] as InstrumentToken[];
  }
}
