import type { Instrument, InstrumentToken } from '../../domain/instrument.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import type { BrokerFeed, SubscriptionMode } from '../../ports/broker-feed.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { TickSink } from '../../ports/tick-sink/tick-sink.ts';
import { FeedIngestion } from './ingest-feed.ts';
import type { Stage } from './live-message.ts';
import { serviceReadiness, type ServiceReadiness } from './service-readiness.ts';
import { createTrustStage, type TrustOptions, type TrustStage } from './trust-stages.ts';
import { marketOpenStage } from './market-open-stage.ts';

/** What the live path runs on; the composition root builds it for live and the demo. */
export interface LiveServiceDeps {
  readonly feed: BrokerFeed;
  readonly sink: TickSink;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly session: MarketSession;
  readonly instruments: readonly Instrument[];
  /** Hands `/readyz` its answer: the root bound telemetry before anything connected. */
  readonly serveReadiness: (readiness: () => ServiceReadiness) => void;
  /** Stages that consume the gaps on the path, after they are counted and logged (the gap ledger). */
  readonly gapConsumers?: readonly Stage[];
  /** Stages after the trust stages that follow the instruments too (the downtime checkpoint). */
  readonly stages?: readonly Stage[];
  /** Extra readiness checks (e.g. the sink's producer); all must hold for /readyz. */
  readonly extraReadiness?: () => Readonly<Record<string, boolean>>;
  /** Checks that, failing, make the service not ready: what it waits for (the cluster: `joining`), or undefined. */
  readonly notReadyBy?: () => Readonly<Record<string, string | undefined>>;
  /** Checks that, failing, leave the service ready but degraded (Redis: no operator commands): what is wrong, or undefined. */
  readonly degradedBy?: () => Readonly<Record<string, string | undefined>>;
  /**
   * Rejects when the service must stop: a destination that refused for good (a Kafka topic found
   * wrong when Kafka first answered). The feed stops and `done` rejects with this error.
   */
  readonly fatal?: Promise<never>;
  /** Validation with quarantine, and freshness (issue 9); without it every tick goes to the sink. */
  readonly trust?: TrustOptions;
}

export interface LiveServiceSettings {
  readonly mode: SubscriptionMode;
  readonly maxInFlight: number;
  /** Keep each token's last tick in the ingest status (the demo's screen). */
  readonly keepLatest?: boolean;
}

export interface RunningLiveService {
  readonly ingestion: FeedIngestion;
  readonly trust: TrustStage | undefined;
  /** Resolves when the feed loop has ended (after `stop`, or at the end of a finite source). */
  readonly done: Promise<void>;
  /** Follows more instruments while running; whether the feed took them. */
  add(tokens: readonly InstrumentToken[]): boolean;
  /** Stops following instruments while running; whether the feed could unsubscribe them. */
  remove(tokens: readonly InstrumentToken[]): boolean;
  /** Stops the feed, waits for publishes in flight, flushes and closes the sink. */
  stop(): Promise<void>;
}

/**
 * Starts the feed → trust stages → sink path and serves its readiness: the feed is connected or
 * the market is closed (silence is then normal), and every extra check holds.
 */
export const startLiveService = (
  deps: LiveServiceDeps,
  settings: LiveServiceSettings,
): RunningLiveService => {
  const tokens = deps.instruments.map((i) => i.token);
  const trust =
    deps.trust === undefined
      ? undefined
      : createTrustStage(
          {
            session: deps.session,
            clock: deps.clock,
            logger: deps.logger,
            metrics: deps.metrics,
            tokens,
            resubscribe: (asked) => deps.feed.resubscribe?.(asked) ?? false,
            replaceQuiet: (quietForMs) => deps.feed.replaceQuietConnections?.(quietForMs) ?? false,
          },
          deps.trust,
        );
  const ingestion = new FeedIngestion(deps, {
    maxInFlight: settings.maxInFlight,
    ...(settings.keepLatest === true ? { keepLatest: true } : {}),
    stages: [
      marketOpenStage({ session: deps.session, metrics: deps.metrics, now: deps.clock.now() }),
      ...(trust?.stages ?? []),
      ...(deps.stages ?? []),
    ],
    ...(deps.gapConsumers === undefined ? {} : { gapConsumers: deps.gapConsumers }),
  });
  deps.serveReadiness(() => serviceReadiness(deps, ingestion.snapshot().connected, trust?.feedFreshness()));
  const abort = new AbortController();
  let fatal: { readonly error: unknown } | undefined;
  deps.fatal?.catch((error: unknown) => {
    fatal ??= { error };
    abort.abort();
  });
  const done = ingestion
    .run({ tokens, mode: settings.mode }, abort.signal)
    .then(() => {
      if (fatal !== undefined) throw fatal.error;
    })
    .catch((e: unknown) => {
      deps.logger.error('Feed loop failed', { error: e instanceof Error ? e.message : String(e) });
      throw e;
    });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      abort.abort();
      await done.catch(() => undefined);
      await deps.sink.close();
      await trust?.close();
      const s = ingestion.snapshot();
      deps.logger.info('Ingestion stopped', {
        received: s.ticksReceived,
        accepted: s.ticksAccepted,
        refused: s.ticksRejected,
        quarantined: s.ticksQuarantined,
      });
    })());
  return {
    ingestion,
    trust,
    done,
    add: (added) => ingestion.add(added),
    remove: (removed) => ingestion.remove(removed),
    stop,
  };
};
