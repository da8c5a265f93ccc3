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
import { BarBuilder } from '../trust/bar-builder.ts';
import { barStage, ReconcileStage, ReconciliationReportStage } from './bar-stages.ts';
import type { Stage } from './live-message.ts';
import { ScreenStage } from './screen-stage.ts';
import { FreshnessStage, subscriptionStage } from './watch-stages.ts';
import { FreshnessMonitor, type FeedFreshness } from '../trust/freshness-monitor.ts';
import { ReconciliationReporter } from '../trust/reconciliation-reporter.ts';
import { Reconciler } from '../trust/reconciler.ts';
import { SubscriptionWatch } from '../trust/subscription-watch.ts';
import { TickScreen } from '../trust/tick-screen.ts';

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
  /** The trust stages of the live path, in order: subscriptions, screen, freshness, bars, reconciliation. */
  readonly stages: readonly Stage[];
  readonly screen: TickScreen;
  readonly freshness: FreshnessMonitor;
  readonly subscriptions: SubscriptionWatch;
  readonly bars: BarBuilder | undefined;
  readonly reconciler: Reconciler | undefined;
  feedFreshness(): FeedFreshness;
  close(): Promise<void>;
}

/**
 * Assembles the trust stages: the subscription watch sees every decoded tick, the screen lets
 * through the valid ones, and freshness, bars and the reconciliation see those. A gap the
 * freshness stage finds travels on down the path as a message, past the reconciliation; the
 * reconciliation's reports travel on as a message to the stage that reports them.
 */
export const createTrustStage = (
  deps: {
    readonly session: MarketSession;
    readonly clock: Clock;
    readonly logger: Logger;
    readonly metrics: Metrics;
    readonly tokens: readonly InstrumentToken[];
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
  const freshnessStage = new FreshnessStage(
    (onGap) =>
      new FreshnessMonitor(
        { session: deps.session, clock: deps.clock, metrics: deps.metrics, onGap },
        { tokens: deps.tokens, rules: options.freshness, muteAfterMs: options.muteAfterMs },
      ),
    {
      logger: deps.logger,
      replaceQuiet: deps.replaceQuiet,
      muteReplacements: deps.metrics.counter(
        'feed_mute_replacements_total',
        'Connections replaced because they showed no tick in the session while they stayed open',
      ),
    },
    { muteAfterMs: options.muteAfterMs },
  );
  const freshness = freshnessStage.monitor;
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
            exchangeOf: c.exchangeOf,
          },
          { tokens: deps.tokens, priceTolerance: c.priceTolerance },
        );
  const reports =
    reconciler === undefined || c === undefined
      ? undefined
      : new ReconciliationReportStage(
          new ReconciliationReporter({
            metrics: deps.metrics,
            logger: deps.logger,
            clock: deps.clock,
            ...(c.log === undefined ? {} : { log: c.log }),
          }),
          deps.logger,
        );
  const stages: Stage[] = [subscriptionStage(subscriptions), new ScreenStage(screen), freshnessStage];
  if (bars !== undefined) stages.push(barStage(bars));
  if (reconciler !== undefined) stages.push(new ReconcileStage(reconciler));
  if (reports !== undefined) stages.push(reports);
  return {
    stages,
    screen,
    freshness,
    subscriptions,
    bars,
    reconciler,
    feedFreshness: () => freshness.freshness(),
    close: async () => {
      await reconciler?.close();
      await reports?.settled();
      bars?.flush();
      await Promise.all([options.quarantine.close(), c?.publisher.close()]);
    },
  };
};
