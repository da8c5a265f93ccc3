import type { FeedGap } from '../../domain/feed-events.ts';
import type { FreshnessRules } from '../../domain/instrument-freshness.ts';
import type { Exchange, InstrumentToken } from '../../domain/instrument.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import type { ValidationRules } from '../../domain/tick-validation.ts';
import type { ReconciliationEvent } from '../../domain/reconciliation-events.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventLog } from '../../ports/event-log/event-log.ts';
import type { HistoricalData } from '../../ports/historical-data.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { RecordPublisher } from '../../ports/record-publisher.ts';
import type { IngestSettings } from '../ingest-feed.ts';
import { BarBuilder } from './bar-builder.ts';
import { FreshnessMonitor, type FeedFreshness } from './freshness-monitor.ts';
import { Reconciler } from './reconciler.ts';
import { SubscriptionWatch } from './subscription-watch.ts';
import { TickScreen } from './tick-screen.ts';

/** What the live service needs to trust its data: the quarantine topic and the rules. */
export interface TrustOptions {
  readonly quarantine: RecordPublisher;
  readonly validation: ValidationRules;
  readonly freshness: FreshnessRules;
  /** FEED_STALE_AFTER_MS: no tick at all this long in the session is a mute feed. */
  readonly muteAfterMs: number;
  /** SUBSCRIPTION_CONFIRM_MS: each wanted instrument must show a packet this soon after a connect. */
  readonly subscriptionConfirmMs: number;
  /** 1-minute bars to the candle topic, reconciled with the broker's candles after the close. */
  readonly candles?: {
    readonly publisher: RecordPublisher;
    readonly historical: HistoricalData;
    readonly exchangeOf: (token: InstrumentToken) => Exchange;
    /** Rupees two prices may differ by and still agree. */
    readonly priceTolerance: number;
    /** RECONCILE_AFTER_CLOSE: compare the bars with the broker's after the close. */
    readonly reconcile: boolean;
    /** Where reconciliation differences are kept as events. */
    readonly log?: EventLog<ReconciliationEvent>;
  };
}

export interface TrustStage {
  /** The hooks the ingest loop takes. */
  readonly hooks: Required<Pick<IngestSettings, 'screen' | 'observe'>>;
  readonly screen: TickScreen;
  readonly freshness: FreshnessMonitor;
  readonly subscriptions: SubscriptionWatch;
  readonly bars: BarBuilder | undefined;
  readonly reconciler: Reconciler | undefined;
  feedFreshness(): FeedFreshness;
  /** Starts the once-a-second freshness check; returns the function that stops it. */
  startChecks(): () => void;
  close(): Promise<void>;
}

/** Assembles the validating screen and the freshness monitor; gaps it finds go to `reportGap`. */
export const createTrustStage = (
  deps: {
    readonly session: MarketSession;
    readonly clock: Clock;
    readonly logger: Logger;
    readonly metrics: Metrics;
    readonly tokens: readonly InstrumentToken[];
    readonly reportGap: (gap: FeedGap) => void;
    /** The feed's `resubscribe`; false when the feed cannot. */
    readonly resubscribe: (tokens: readonly InstrumentToken[]) => boolean;
    /** The feed's `replaceQuietConnections`; false when the feed cannot. */
    readonly replaceQuiet: (quietForMs: number) => boolean;
  },
  options: TrustOptions,
): TrustStage => {
  const screen = new TickScreen(
    { quarantine: options.quarantine, session: deps.session, logger: deps.logger, metrics: deps.metrics },
    { tokens: deps.tokens, rules: options.validation },
  );
  const freshness = new FreshnessMonitor(
    {
      session: deps.session,
      clock: deps.clock,
      metrics: deps.metrics,
      // Called from the checks, after everything here is built: the reconciler exists by then.
      onGap: (gap) => {
        reconciler?.noteGap(gap);
        deps.reportGap(gap);
      },
    },
    { tokens: deps.tokens, rules: options.freshness, muteAfterMs: options.muteAfterMs },
  );
  const subscriptions = new SubscriptionWatch(
    {
      session: deps.session,
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      resubscribe: deps.resubscribe,
    },
    { tokens: deps.tokens, confirmMs: options.subscriptionConfirmMs },
  );
  const muteReplacements = deps.metrics.counter(
    'feed_mute_replacements_total',
    'Connections replaced because no instrument ticked in the session while the socket stayed open',
  );
  const c = options.candles;
  const bars =
    c === undefined
      ? undefined
      : new BarBuilder(
          {
            publisher: c.publisher,
            session: deps.session,
            clock: deps.clock,
            logger: deps.logger,
            metrics: deps.metrics,
          },
          { graceMs: 5000 },
        );
  const reconciler =
    c === undefined || bars === undefined || !c.reconcile
      ? undefined
      : new Reconciler(
          {
            historical: c.historical,
            bars: () => bars.barsByToken(),
            session: deps.session,
            clock: deps.clock,
            logger: deps.logger,
            metrics: deps.metrics,
            exchangeOf: c.exchangeOf,
            ...(c.log === undefined ? {} : { log: c.log }),
          },
          { tokens: deps.tokens, priceTolerance: c.priceTolerance },
        );
  return {
    hooks: {
      screen: (ticks, receivedAt) => {
        subscriptions.saw(ticks);
        return screen.screen(ticks, receivedAt);
      },
      observe: (message) => {
        subscriptions.observe(message);
        freshness.observe(message);
        bars?.observe(message);
        reconciler?.observe(message);
      },
    },
    screen,
    freshness,
    subscriptions,
    bars,
    reconciler,
    feedFreshness: () => freshness.freshness(),
    startChecks: () => {
      const timer = setInterval(() => {
        freshness.check();
        // Every instrument silent in the session while the socket lives (heartbeats fool the
        // feed's own watchdog): the connection is mute. The feed replaces only a socket quiet that long.
        if (freshness.freshness() === 'mute' && deps.replaceQuiet(options.muteAfterMs)) {
          muteReplacements.inc();
          deps.logger.warn('No tick from the feed in the session; replacing the connection', {
            quietMs: options.muteAfterMs,
          });
        }
        subscriptions.check();
        bars?.flush();
        reconciler?.check();
      }, 1000);
      timer.unref();
      return () => clearInterval(timer);
    },
    close: async () => {
      await reconciler?.close();
      bars?.flush();
      await Promise.all([options.quarantine.close(), c?.publisher.close()]);
    },
  };
};
