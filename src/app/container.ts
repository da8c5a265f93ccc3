import 'reflect-metadata';
import { Container, type ServiceIdentifier } from 'inversify';
import { RedisCommandBus } from '../adapters/redis/redis-command-bus.ts';
import { startKafkaTickSink } from '../adapters/kafka/start-kafka-tick-sink.ts';
import { createMstockAdapters, type MstockAdapters } from '../adapters/mstock/create-mstock-adapters.ts';
import { mstockSettings } from '../adapters/mstock/mstock-settings.ts';
import type { FeedTap } from '../adapters/mstock/feed-tap.ts';
import type { MstockCredentials } from '../adapters/mstock/mstock-login.ts';
import type { OtpPrompt } from '../adapters/mstock/session-manager.ts';
import { NdjsonTickSink } from '../adapters/ndjson/ndjson-tick-sink.ts';
import { PrometheusMetrics } from '../adapters/prometheus/prometheus-metrics.ts';
import { systemClock } from '../adapters/system/system-clock.ts';
import type { Instrument } from '../domain/instrument.ts';
import { makeMarketSession, type MarketSession } from '../domain/market-session.ts';
import { BrokerFeedId } from '../ports/broker-feed.ts';
import { ClockId, type Clock } from '../ports/clock.ts';
import { CommandBusId } from '../ports/command-bus.ts';
import { HistoricalDataId } from '../ports/historical-data.ts';
import { LoggerId, type Logger } from '../ports/logger.ts';
import { MetricsId } from '../ports/metrics.ts';
import { TickSinkId } from '../ports/tick-sink.ts';
import type { ServiceConfig } from './config/service-config.ts';

export const ServiceConfigId: ServiceIdentifier<ServiceConfig> = Symbol.for('tickflow.ServiceConfig');
export const InstrumentsId: ServiceIdentifier<readonly Instrument[]> = Symbol.for('tickflow.Instruments');
export const MarketSessionId: ServiceIdentifier<MarketSession> = Symbol.for('tickflow.MarketSession');
export const PrometheusMetricsId: ServiceIdentifier<PrometheusMetrics> = Symbol.for(
  'tickflow.PrometheusMetrics',
);
export const MstockAdaptersId: ServiceIdentifier<MstockAdapters> = Symbol.for('tickflow.MstockAdapters');

/** Where ticks go: Kafka (the product), or an NDJSON file when no Kafka can be had (demo, replay). */
export type SinkChoice = { readonly kind: 'kafka' } | { readonly kind: 'ndjson'; readonly path: string };

export interface ContainerInputs {
  readonly config: ServiceConfig;
  readonly instruments: readonly Instrument[];
  readonly logger: Logger;
  readonly sink: SinkChoice;
  /** Demo mode passes the simulator's addresses and credentials here; live mode uses the config. */
  readonly broker?: {
    readonly apiUrl: string;
    readonly wsUrl: string;
    readonly credentials: MstockCredentials;
  };
  readonly promptOtp?: OtpPrompt;
  readonly clock?: Clock;
  /** Sees every raw feed frame: the session recorder when RECORD_FRAMES is on. */
  readonly feedTap?: FeedTap;
  /** The registry behind /metrics, when the caller needs it before the container (the recorder). */
  readonly metrics?: PrometheusMetrics;
}

const credentialsFrom = (config: ServiceConfig): MstockCredentials => {
  const a = config.app;
  if (a.mstockUser === undefined || a.mstockPass === undefined || a.mstockApiKey === undefined) {
    // decodeServiceConfig requires these in live and backfill modes; reaching here is a wiring bug.
    throw new Error('MSTOCK_USER, MSTOCK_PASS and MSTOCK_API_KEY are required');
  }
  return {
    username: a.mstockUser,
    password: a.mstockPass,
    apiKey: a.mstockApiKey,
    ...(a.mstockTotpSecret === undefined ? {} : { totpSecret: a.mstockTotpSecret }),
    ...(a.mstockOtp === undefined ? {} : { otp: a.mstockOtp }),
  };
};

/**
 * The composition root: the one place that knows which adapter serves which port. Live and demo
 * share one binding set (demo only points the m.Stock adapters at the simulator); adapters are
 * singletons, so the feed and the backfill share one m.Stock session and one Kafka producer.
 */
export const buildContainer = (inputs: ContainerInputs): Container => {
  const { config } = inputs;
  const c = new Container({ defaultScope: 'Singleton' });
  c.bind(ServiceConfigId).toConstantValue(config);
  c.bind(InstrumentsId).toConstantValue(inputs.instruments);
  c.bind(LoggerId).toConstantValue(inputs.logger);
  c.bind(ClockId).toConstantValue(inputs.clock ?? systemClock);
  c.bind(MarketSessionId).toConstantValue(makeMarketSession({ extraHolidays: config.app.extraHolidays }));
  c.bind(PrometheusMetricsId).toConstantValue(inputs.metrics ?? new PrometheusMetrics());
  c.bind(MetricsId).toResolvedValue((m: PrometheusMetrics) => m, [PrometheusMetricsId]);

  c.bind(MstockAdaptersId).toResolvedValue(
    (clock: Clock, logger: Logger, metrics: PrometheusMetrics, session: MarketSession) => {
      const a = config.app;
      return createMstockAdapters({
        credentials: inputs.broker?.credentials ?? credentialsFrom(config),
        settings: mstockSettings({
          apiUrl: inputs.broker?.apiUrl ?? a.mstockApiUrl,
          feed: {
            wsUrl: inputs.broker?.wsUrl ?? a.mstockWsUrl,
            tickTimeZone: a.mstockTickTimeZone,
            maxTokensPerConnection: a.maxTokensPerConnection,
            staleAfterMs: a.feedStaleAfterMs,
            isMarketOpen: (at) => session.isOpen(at),
            debugTickLogPerSecond: a.debugTickLogPerSecond,
          },
          historical: { rateLimit: { perSecond: a.historyRatePerSecond } },
        }),
        clock,
        logger,
        metrics,
        ...(inputs.promptOtp === undefined ? {} : { promptOtp: inputs.promptOtp }),
        ...(inputs.feedTap === undefined ? {} : { feedTap: inputs.feedTap }),
      });
    },
    [ClockId, LoggerId, PrometheusMetricsId, MarketSessionId],
  );
  c.bind(BrokerFeedId).toResolvedValue((m: MstockAdapters) => m.feed, [MstockAdaptersId]);
  c.bind(HistoricalDataId).toResolvedValue((m: MstockAdapters) => m.historical, [MstockAdaptersId]);

  const sink = inputs.sink;
  c.bind(TickSinkId).toResolvedValue(
    (logger: Logger, metrics: PrometheusMetrics, clock: Clock) =>
      sink.kind === 'kafka'
        ? startKafkaTickSink(config.kafka, { logger, metrics, clock })
        : NdjsonTickSink.open(sink.path),
    [LoggerId, PrometheusMetricsId, ClockId],
  );
  c.bind(CommandBusId).toResolvedValue(
    (logger: Logger, metrics: PrometheusMetrics) => new RedisCommandBus(config.redis, { logger, metrics }),
    [LoggerId, PrometheusMetricsId],
  );
  return c;
};
