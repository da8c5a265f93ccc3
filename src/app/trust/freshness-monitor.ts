import type { FeedGap } from '../../domain/feed-events.ts';
import {
  learnTick,
  silentSince,
  type Cadence,
  type FreshnessRules,
} from '../../domain/instrument-freshness.ts';
import type { InstrumentToken } from '../../domain/instrument.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { FeedMessage } from '../../ports/broker-feed.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Gauge, Metrics } from '../../ports/metrics.ts';

export interface FreshnessSettings {
  readonly tokens: readonly InstrumentToken[];
  readonly rules: FreshnessRules;
  /** No tick at all for this long in market hours, while connected, is a mute feed (FEED_STALE_AFTER_MS). */
  readonly muteAfterMs: number;
}

interface Watch {
  cadence: Cadence | undefined;
  /** Set while a reported silence lasts: the end of the stretch already reported as a gap. */
  reportedTo: EpochMs | undefined;
  readonly age: Gauge;
}

/** What the monitor says of the feed as a whole, for /readyz. */
export type FeedFreshness = 'flowing' | 'mute' | 'not-watched';

/**
 * Freshness, aware of market time. It learns each instrument's cadence from the ticks that passed
 * the screen, keeps `tick_age_seconds{token}`, and during the continuous session reports a
 * `silent-instrument` gap for an instrument that stays silent far beyond its cadence while others
 * tick. The gap is reported when the silence is found (from its start to then) and continued when
 * the instrument speaks again, the feed drops, or the session ends, so the ledger holds every
 * missing stretch once. Outside the session, silence is normal and raises nothing.
 */
export class FreshnessMonitor {
  private readonly settings: FreshnessSettings;
  private readonly session: MarketSession;
  private readonly clock: Clock;
  private readonly onGap: (gap: FeedGap) => void;
  private readonly watches = new Map<string, Watch>();
  private readonly metrics: Metrics;
  private connectedAt: EpochMs | undefined;
  /** The first connect: a replaced socket gets no fresh grace, or a mute feed would look well after each replacement. */
  private firstConnectedAt: EpochMs | undefined;
  private lastAnyTickAt: EpochMs | undefined;

  constructor(
    deps: {
      readonly session: MarketSession;
      readonly clock: Clock;
      readonly metrics: Metrics;
      readonly onGap: (gap: FeedGap) => void;
    },
    settings: FreshnessSettings,
  ) {
    this.settings = settings;
    this.session = deps.session;
    this.clock = deps.clock;
    this.onGap = deps.onGap;
    this.metrics = deps.metrics;
    this.follow(settings.tokens, []);
  }

  /**
   * Instruments added to or removed from the running feed. An added one is watched from its first
   * tick; a removed one is forgotten, a silence of it still open included: nobody follows it now.
   */
  follow(added: readonly InstrumentToken[], removed: readonly InstrumentToken[]): void {
    for (const token of removed) {
      this.watches.get(token)?.age.set(-1);
      this.watches.delete(token);
    }
    for (const token of added) {
      if (this.watches.has(token)) continue;
      const age = this.metrics.gauge(
        'tick_age_seconds',
        'Seconds since the instrument last ticked (-1: never)',
        {
          token,
        },
      );
      age.set(-1);
      this.watches.set(token, { cadence: undefined, reportedTo: undefined, age });
    }
  }

  /** Feed it every message after screening (`IngestSettings.observe`). */
  observe(message: FeedMessage): void {
    switch (message.kind) {
      case 'ticks':
        this.lastAnyTickAt = message.receivedAt;
        for (const tick of message.ticks) {
          const w = this.watches.get(tick.token);
          if (w === undefined) continue;
          // An interval across a reconnect measures the outage, not the instrument: start afresh.
          const prev = w.cadence;
          const across =
            prev !== undefined && this.connectedAt !== undefined && prev.lastTickAt < this.connectedAt;
          w.cadence = learnTick(
            across ? { ...prev, lastTickAt: tick.receivedAt } : prev,
            tick.receivedAt,
            this.settings.rules,
          );
          if (w.reportedTo !== undefined) this.continueSilence(tick.token, w, tick.receivedAt);
        }
        break;
      case 'connected':
        this.connectedAt = message.at;
        this.firstConnectedAt ??= message.at;
        break;
      case 'disconnected':
        // The feed's own disconnect gap covers every token from here on.
        this.connectedAt = undefined;
        for (const [token, w] of this.watches) this.continueSilence(token, w, message.at);
        break;
      case 'gap':
        break;
    }
  }

  /** Refreshes the age gauges and looks for silent instruments; the service calls it every second. */
  check(): void {
    const now = this.clock.now();
    for (const w of this.watches.values())
      w.age.set(w.cadence === undefined ? -1 : Math.max(0, now - w.cadence.lastTickAt) / 1000);
    const watchedSince = this.watchedSince(now);
    if (watchedSince === undefined) {
      // Closed or disconnected: a silence still open ends here (the close, or the drop, bounds it).
      for (const [token, w] of this.watches) this.continueSilence(token, w, now);
      return;
    }
    for (const [token, w] of this.watches) {
      if (w.reportedTo !== undefined) continue;
      const since = silentSince(w.cadence, watchedSince, this.lastAnyTickAt, now, this.settings.rules);
      if (since === undefined) continue;
      w.reportedTo = now;
      this.onGap({ tokens: [token as InstrumentToken], from: since, to: now, cause: 'silent-instrument' });
    }
  }

  /**
   * `mute` while connected in the session with no tick at all for `muteAfterMs`, counted from the
   * last tick (or the first connect, or today's open), across socket replacements; never while
   * no instrument is followed.
   */
  freshness(): FeedFreshness {
    const now = this.clock.now();
    const watchedSince = this.watchedSince(now);
    // Following no instrument (a cluster member that owns no shard yet) is silence by design.
    if (watchedSince === undefined || this.watches.size === 0) return 'not-watched';
    const day = this.session.tradingDayOf(now);
    const open = day === undefined ? 0 : this.session.sessionBounds(day).open;
    const last = Math.max(this.firstConnectedAt ?? 0, open, this.lastAnyTickAt ?? 0);
    return now - last >= this.settings.muteAfterMs ? 'mute' : 'flowing';
  }

  /** Tokens whose silence is reported and not yet over. */
  silentTokens(): InstrumentToken[] {
    return [...this.watches].filter(([, w]) => w.reportedTo !== undefined).map(([t]) => t as InstrumentToken);
  }

  /** Silence counts from the later of the connect and today's open; undefined when it does not count. */
  private watchedSince(now: EpochMs): EpochMs | undefined {
    if (this.connectedAt === undefined || !this.session.isOpen(now)) return undefined;
    const day = this.session.tradingDayOf(now);
    if (day === undefined) return undefined;
    return Math.max(this.connectedAt, this.session.sessionBounds(day).open) as EpochMs;
  }

  private continueSilence(token: string, w: Watch, until: EpochMs): void {
    const from = w.reportedTo;
    if (from === undefined) return;
    w.reportedTo = undefined;
    const day = this.session.tradingDayOf(from);
    const to = (
      day === undefined ? until : Math.min(until, this.session.sessionBounds(day).close)
    ) as EpochMs;
    if (to > from) this.onGap({ tokens: [token as InstrumentToken], from, to, cause: 'silent-instrument' });
  }
}
