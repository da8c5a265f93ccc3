import type { FeedGap } from '../domain/feed-events.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { MarketSession } from '../domain/market-session.ts';
import type { BrokerFeed, SubscriptionMode } from '../ports/broker-feed.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger/logger.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { TickSink } from '../ports/tick-sink/tick-sink.ts';
import {
  startTelemetryServer,
  type Readiness,
  type TelemetryServer,
} from '../adapters/http/telemetry-server.ts';
import type { BoundTelemetry } from './root/bind-telemetry.ts';
import { FeedIngestion } from './ingest-feed.ts';
import { createTrustStage, type TrustOptions, type TrustStage } from './trust/trust-stage.ts';

/** What the live pipeline runs on; the composition root builds it for live, demo and replay. */
export interface LiveServiceDeps {
  readonly feed: BrokerFeed;
  readonly sink: TickSink;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly session: MarketSession;
  readonly instruments: readonly Instrument[];
  readonly exposition: { metrics(): Promise<string>; readonly contentType: string };
  /** Called with every gap the feed reports (the backfill coordinator fills it once bars are final). */
  readonly onGap?: (gap: FeedGap) => void;
  /** Extra readiness checks (e.g. the sink's producer); all must hold for /readyz. */
  readonly extraReadiness?: () => Readonly<Record<string, boolean>>;
  /** Checks that, failing, leave the service ready but degraded (Redis: no operator commands): what is wrong, or undefined. */
  readonly degradedBy?: () => Readonly<Record<string, string | undefined>>;
  /**
   * Rejects when the service must stop: a destination that refused for good (a Kafka topic found
   * wrong when Kafka first answered). The feed stops and `done` rejects with this error.
   */
  readonly fatal?: Promise<never>;
  /** Validation with quarantine, and freshness (issue 9); without it every tick goes to the sink. */
  readonly trust?: TrustOptions;
  /** Telemetry bound before anything connected (the pipeline); without it the service binds its own. */
  readonly telemetry?: BoundTelemetry;
}

export interface LiveServiceSettings {
  readonly mode: SubscriptionMode;
  readonly metricsHost: string;
  readonly metricsPort: number;
  readonly maxInFlight: number;
  /** Keep each token's last tick in the ingest status (the demo's screen). */
  readonly keepLatest?: boolean;
}

export interface RunningLiveService {
  readonly ingestion: FeedIngestion;
  readonly trust: TrustStage | undefined;
  readonly telemetry: TelemetryServer;
  /** Resolves when the feed loop has ended (after `stop`, or at the end of a finite source). */
  readonly done: Promise<void>;
  /** Stops the feed, waits for publishes in flight, flushes and closes the sink and the server. */
  stop(): Promise<void>;
}

/**
 * Starts telemetry (unless bound already), then the feed → sink loop. Readiness: the feed is connected or the market is
 * closed (silence is then normal), and every extra check holds.
 */
export const startLiveService = async (
  deps: LiveServiceDeps,
  settings: LiveServiceSettings,
): Promise<RunningLiveService> => {
  let trust: TrustStage | undefined;
  const ingestion = new FeedIngestion(deps, {
    maxInFlight: settings.maxInFlight,
    ...(settings.keepLatest === true ? { keepLatest: true } : {}),
    ...(deps.onGap === undefined ? {} : { onGap: deps.onGap }),
    ...(deps.trust === undefined
      ? {}
      : {
          screen: (ticks, receivedAt) => trust?.hooks.screen(ticks, receivedAt) ?? ticks,
          observe: (message) => trust?.hooks.observe(message),
        }),
  });
  if (deps.trust !== undefined)
    trust = createTrustStage(
      {
        session: deps.session,
        clock: deps.clock,
        logger: deps.logger,
        metrics: deps.metrics,
        tokens: deps.instruments.map((i) => i.token),
        reportGap: (gap) => ingestion.reportGap(gap),
        resubscribe: (tokens) => deps.feed.resubscribe?.(tokens) ?? false,
        replaceQuiet: (quietForMs) => deps.feed.replaceQuietConnections?.(quietForMs) ?? false,
      },
      deps.trust,
    );
  const readiness = (): Readiness => {
    const s = ingestion.snapshot();
    const marketOpen = deps.session.isOpen(deps.clock.now());
    // Connected but saying nothing in the session: the feed adapter replaces such a socket.
    const mute = s.connected && trust?.feedFreshness() === 'mute';
    const feedOk = (s.connected && !mute) || !marketOpen;
    const extra = deps.extraReadiness?.() ?? {};
    const checks: Record<string, string> = {
      feed: mute ? 'mute' : s.connected ? 'connected' : marketOpen ? 'disconnected' : 'market closed',
    };
    let ready = feedOk;
    for (const [name, ok] of Object.entries(extra)) {
      checks[name] = ok ? 'ready' : 'not ready';
      ready &&= ok;
    }
    let degraded = false;
    for (const [name, problem] of Object.entries(deps.degradedBy?.() ?? {})) {
      checks[name] = problem ?? 'ok';
      degraded ||= problem !== undefined;
    }
    checks['status'] = !ready ? 'not ready' : degraded ? 'degraded' : 'ready';
    return { ready, checks };
  };
  let telemetry: TelemetryServer;
  if (deps.telemetry === undefined) {
    telemetry = await startTelemetryServer(
      {
        metrics: () => deps.exposition.metrics(),
        metricsContentType: deps.exposition.contentType,
        readiness,
      },
      settings.metricsHost,
      settings.metricsPort,
    );
    deps.logger.info('Telemetry listening', { url: telemetry.url });
  } else {
    telemetry = deps.telemetry.server;
    deps.telemetry.serveReadiness(readiness);
  }
  const ageTimer = setInterval(ingestion.updateAge, 1000);
  ageTimer.unref();
  const stopChecks = trust?.startChecks();
  const abort = new AbortController();
  let fatal: { readonly error: unknown } | undefined;
  deps.fatal?.catch((error: unknown) => {
    fatal ??= { error };
    abort.abort();
  });
  const done = ingestion
    .run({ tokens: deps.instruments.map((i) => i.token), mode: settings.mode }, abort.signal)
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
      clearInterval(ageTimer);
      stopChecks?.();
      await deps.sink.close();
      await trust?.close();
      await telemetry.close();
      const s = ingestion.snapshot();
      deps.logger.info('Ingestion stopped', {
        received: s.ticksReceived,
        accepted: s.ticksAccepted,
        refused: s.ticksRejected,
        quarantined: s.ticksQuarantined,
      });
    })());
  return { ingestion, trust, telemetry, done, stop };
};
