import { join } from 'node:path';
import { startKafkaRecordPublishers } from '../adapters/kafka/start-kafka-record-publishers.ts';
import { MemoryRecordPublisher } from '../adapters/memory/memory-record-publisher.ts';
import type { MstockCredentials } from '../adapters/mstock/mstock-login.ts';
import type { OtpPrompt } from '../adapters/mstock/session-manager.ts';
import { PrometheusMetrics } from '../adapters/prometheus/prometheus-metrics.ts';
import { startFeedRecording } from '../adapters/recording/feed-recorder.ts';
import { DEFAULT_FRESHNESS_TUNING } from '../domain/instrument-freshness.ts';
import { BrokerFeedId } from '../ports/broker-feed.ts';
import { ClockId, type Clock } from '../ports/clock.ts';
import { CommandBusId } from '../ports/command-bus.ts';
import { HistoricalDataId } from '../ports/historical-data.ts';
import type { RecordPublisher } from '../ports/record-publisher.ts';
import { TickSinkId, type TickSink } from '../ports/tick-sink.ts';
import { startBackfillCoordinator, type RunningBackfill } from './backfill/backfill-wiring.ts';
import type { Startup } from './cli/startup.ts';
import { startInBackground } from './command-listener.ts';
import type { Env } from './config/setting.ts';
import {
  GapLedgerLogId,
  MarketSessionId,
  PrometheusMetricsId,
  ReconciliationLogId,
  buildContainer,
  type SinkChoice,
} from './container.ts';
import { startLiveService, type RunningLiveService } from './live-service.ts';
import { coordinatorGapFiller } from './trust/coordinator-gap-filler.ts';
import { GapLedgerWriter } from './trust/gap-ledger-writer.ts';
import { validationRulesOf } from './trust/validation-rules.ts';

export interface LivePipelineOptions {
  readonly startup: Startup;
  /** The environment the backfill's stage processes are forked with. */
  readonly env: Env;
  readonly sink: SinkChoice;
  /** The demo points the m.Stock adapters at its simulator; live uses the configuration. */
  readonly broker?: {
    readonly apiUrl: string;
    readonly wsUrl: string;
    readonly credentials: MstockCredentials;
  };
  readonly promptOtp?: OtpPrompt;
  /** When METRICS_PORT is taken, take any free port instead of failing (the demo). */
  readonly anyMetricsPort?: boolean;
  /** Keep each token's last tick for a screen (the demo); live does not pay for it per tick. */
  readonly keepLatest?: boolean;
  /** The market clock; the system clock unless a test or a simulation sets its own. */
  readonly clock?: Clock;
}

export interface LivePipeline {
  readonly service: RunningLiveService;
  /** Stops everything in order: backfill, feed and sink, recording, gap ledger, command bus. */
  stop(): Promise<void>;
}

type ControlPublishers = Record<'quarantine' | 'gaps' | 'candles', RecordPublisher>;

/**
 * The live pipeline, as `tickflow live` and `tickflow demo` run it: feed → trust stage → sink, with
 * the control topics (quarantine, gaps, candles), the gap ledger, the backfill coordinator and the
 * optional session recording. Resolves undefined when Kafka cannot be reached (already logged).
 */
export const startLivePipeline = async (o: LivePipelineOptions): Promise<LivePipeline | undefined> => {
  const { config, logger, instruments } = o.startup;
  const a = config.app;
  const registry = new PrometheusMetrics();
  // RECORD_FRAMES: every raw frame also goes to session files, for `tickflow replay`.
  const recording = a.recordFrames
    ? startFeedRecording({ dir: join(a.dataDir, 'recordings'), logger, metrics: registry })
    : undefined;
  const container = buildContainer({
    config,
    instruments,
    logger,
    metrics: registry,
    sink: o.sink,
    ...(o.broker === undefined ? {} : { broker: o.broker }),
    ...(o.promptOtp === undefined ? {} : { promptOtp: o.promptOtp }),
    ...(recording === undefined ? {} : { feedTap: recording.tap }),
    ...(o.clock === undefined ? {} : { clock: o.clock }),
  });
  const metrics = container.get(PrometheusMetricsId);
  let sink: TickSink | undefined;
  let control: ControlPublishers;
  try {
    sink = await container.getAsync(TickSinkId);
    const topics = { quarantine: a.quarantineTopic, gaps: a.gapTopic, candles: a.candleTopic };
    control =
      o.sink.kind === 'kafka'
        ? await startKafkaRecordPublishers(
            config.kafka,
            topics,
            { logger, metrics },
            // Beside the tick journal: what the control topics accepted survives an outage and a crash.
            { journalDir: `${config.kafka.journal.dir}-control` },
          )
        : {
            quarantine: new MemoryRecordPublisher(),
            gaps: new MemoryRecordPublisher(),
            candles: new MemoryRecordPublisher(),
          };
  } catch (e) {
    logger.error((e as Error).message);
    await sink?.close();
    await recording?.close();
    return undefined;
  }
  const clock = container.get(ClockId);
  const session = container.get(MarketSessionId);
  // Backfill at start (market closed) and on START_BACKFILL from Redis; a Redis outage never stops the feed.
  const backfill = startInBackground<RunningBackfill>(
    'Backfill coordinator',
    async () =>
      startBackfillCoordinator(config, {
        env: o.env,
        logger,
        metrics,
        clock,
        session,
        bus: await container.getAsync(CommandBusId),
      }),
    logger,
    10_000,
  );
  // Every gap on record (event log stream `gaps`, GAP_TOPIC) until its backfill fills it.
  const gapLog = await container.getAsync(GapLedgerLogId);
  const ledger = new GapLedgerWriter(
    {
      log: gapLog,
      publisher: control.gaps,
      fill: coordinatorGapFiller(() => backfill.current()?.coordinator, session),
      clock,
      logger,
      metrics,
    },
    { maxAttempts: a.gapFillMaxAttempts, retryDelayMs: a.gapFillRetryMs },
  );
  await ledger.resume().catch((e: unknown) => {
    logger.error('Could not resume open gaps from the ledger', {
      error: e instanceof Error ? e.message : String(e),
    });
  });
  const reconciliationLog = await container.getAsync(ReconciliationLogId);
  const exchanges = new Map(instruments.map((i) => [i.token as string, i.exchange]));
  const deps = {
    feed: container.get(BrokerFeedId),
    sink,
    logger,
    metrics,
    clock,
    session,
    instruments,
    exposition: { metrics: () => metrics.exposition(), contentType: metrics.contentType },
    onGap: (gap: Parameters<GapLedgerWriter['record']>[0]) => ledger.record(gap),
    trust: {
      quarantine: control.quarantine,
      validation: validationRulesOf(a),
      freshness: {
        factor: a.silentInstrumentFactor,
        floorMs: a.silentInstrumentFloorMs,
        ...DEFAULT_FRESHNESS_TUNING,
      },
      muteAfterMs: a.feedStaleAfterMs,
      subscriptionConfirmMs: a.subscriptionConfirmMs,
      candles: {
        publisher: control.candles,
        historical: container.get(HistoricalDataId),
        exchangeOf: (token: string) => exchanges.get(token) ?? 'NSE',
        priceTolerance: 0.001,
        reconcile: a.reconcileAfterClose,
        log: reconciliationLog,
      },
    },
  };
  const settings = {
    mode: a.subscriptionMode,
    metricsHost: a.metricsHost,
    metricsPort: a.metricsPort,
    maxInFlight: 64,
    ...(o.keepLatest === true ? { keepLatest: true } : {}),
  };
  let service: RunningLiveService;
  try {
    service = await startLiveService(deps, settings);
  } catch (e) {
    if (o.anyMetricsPort !== true) throw e;
    service = await startLiveService(deps, { ...settings, metricsPort: 0 });
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await backfill.stop((b) => b.stop());
      await service.stop();
      const recorded = await recording?.close();
      if (recorded !== undefined) {
        logger.info('Recording closed', {
          files: recorded.files.length,
          frames: recorded.frames,
          lostFrames: recorded.lostFrames,
        });
      }
      await ledger.close();
      await control.gaps.close(); // the trust stage closed the quarantine and candle publishers
      await gapLog.close();
      await reconciliationLog.close();
      await (await container.getAsync(CommandBusId)).close();
    })());
  return { service, stop };
};
