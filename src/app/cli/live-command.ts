import { startKafkaRecordPublishers } from '../../adapters/kafka/start-kafka-record-publishers.ts';
import { DEFAULT_FRESHNESS_TUNING } from '../../domain/instrument-freshness.ts';
import { join } from 'node:path';
import { PrometheusMetrics } from '../../adapters/prometheus/prometheus-metrics.ts';
import { startFeedRecording } from '../../adapters/recording/feed-recorder.ts';
import { describeConfig } from '../config/app-config.ts';
import { MarketSessionId, PrometheusMetricsId, buildContainer } from '../container.ts';
import { startBackfillCoordinator, type RunningBackfill } from '../backfill/backfill-wiring.ts';
import { startInBackground } from '../command-listener.ts';
import { startLiveService } from '../live-service.ts';
import { handleShutdownSignals } from '../shutdown-signals.ts';
import { coordinatorGapFiller } from '../trust/coordinator-gap-filler.ts';
import { openGapLedgerLog } from '../trust/gap-ledger-log.ts';
import { GapLedgerWriter } from '../trust/gap-ledger-writer.ts';
import { BrokerFeedId } from '../../ports/broker-feed.ts';
import { ClockId } from '../../ports/clock.ts';
import { TickSinkId } from '../../ports/tick-sink.ts';
import { CommandBusId } from '../../ports/command-bus.ts';
import { HistoricalDataId } from '../../ports/historical-data.ts';
import type { Command } from './command.ts';
import { terminalOtpPrompt } from './otp-prompt.ts';
import { startup } from './startup.ts';

export const liveCommand: Command = {
  name: 'live',
  summary: 'log in to m.Stock, follow the live feed and publish every tick to Kafka',
  help: `tickflow live [--check-config]

Logs in to m.Stock (MSTOCK_USER, MSTOCK_PASS, MSTOCK_API_KEY, and MSTOCK_TOTP_SECRET or MSTOCK_OTP;
with neither, the OTP is asked on the terminal), subscribes the instruments (config/nifty50.csv, or
INSTRUMENTS / INSTRUMENTS_FILE) and publishes every tick to TICK_TOPIC on KAFKA_BROKER.
Telemetry on METRICS_PORT: /metrics, /healthz, /readyz. SIGTERM or SIGINT stop it cleanly.

  --check-config   print the effective configuration (secrets masked) and exit`,
  run: async (args) => {
    const s = await startup(process.env, 'live', 'live');
    if (s === undefined) return 2;
    if (args.includes('--check-config')) {
      process.stdout.write(`${describeConfig(s.config.app).join('\n')}\n`);
      return 0;
    }
    const { config, logger } = s;
    const registry = new PrometheusMetrics();
    // RECORD_FRAMES: every raw frame also goes to session files, for `tickflow replay`.
    const recording = config.app.recordFrames
      ? startFeedRecording({ dir: join(config.app.dataDir, 'recordings'), logger, metrics: registry })
      : undefined;
    const container = buildContainer({
      config,
      instruments: s.instruments,
      logger,
      metrics: registry,
      sink: { kind: 'kafka' },
      ...(process.stdin.isTTY ? { promptOtp: terminalOtpPrompt } : {}),
      ...(recording === undefined ? {} : { feedTap: recording.tap }),
    });
    const metrics = container.get(PrometheusMetricsId);
    let sink;
    let control;
    try {
      sink = await container.getAsync(TickSinkId);
      // Quarantined ticks and gap records: their own topics, on the sink's cluster (issue 9).
      control = await startKafkaRecordPublishers(
        config.kafka,
        {
          quarantine: config.app.quarantineTopic,
          gaps: config.app.gapTopic,
          candles: config.app.candleTopic,
        },
        { logger, metrics },
      );
    } catch (e) {
      logger.error((e as Error).message);
      await sink?.close();
      return 1;
    }
    const clock = container.get(ClockId);
    const session = container.get(MarketSessionId);
    // Backfill at start (market closed) and on START_BACKFILL from Redis; gaps are filled later.
    const backfill = startInBackground<RunningBackfill>(
      'Backfill coordinator',
      async () =>
        startBackfillCoordinator(config, {
          env: process.env,
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
    const gapLog = await openGapLedgerLog(config, logger, metrics);
    const ledger = new GapLedgerWriter({
      log: gapLog,
      publisher: control.gaps,
      fill: coordinatorGapFiller(() => backfill.current()?.coordinator, session),
      clock,
      logger,
      metrics,
    });
    await ledger.resume().catch((e: unknown) => {
      logger.error('Could not resume open gaps from the ledger', {
        error: e instanceof Error ? e.message : String(e),
      });
    });
    const a = config.app;
    const exchanges = new Map(s.instruments.map((i) => [i.token as string, i.exchange]));
    const service = await startLiveService(
      {
        feed: container.get(BrokerFeedId),
        sink,
        logger,
        metrics,
        clock,
        session,
        instruments: s.instruments,
        exposition: { metrics: () => metrics.exposition(), contentType: metrics.contentType },
        onGap: (gap) => ledger.record(gap),
        trust: {
          quarantine: control.quarantine,
          validation: {
            bandPercent: a.priceBandPercent,
            maxExchangeLeadMs: a.maxExchangeLeadMs,
            maxExchangeLagMs: a.maxExchangeLagMs,
          },
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
            exchangeOf: (token) => exchanges.get(token) ?? 'NSE',
            priceTolerance: 0.001,
          },
        },
      },
      {
        mode: config.app.subscriptionMode,
        metricsHost: config.app.metricsHost,
        metricsPort: config.app.metricsPort,
        maxInFlight: 64,
      },
    );
    let stopping: Promise<void> | undefined;
    const stopAll = (): Promise<void> =>
      (stopping ??= (async () => {
        await backfill.stop((b) => b.stop());
        await service.stop();
        const recorded = await recording?.close();
        if (recorded !== undefined)
          logger.info('Recording closed', {
            files: recorded.files.length,
            frames: recorded.frames,
            lostFrames: recorded.lostFrames,
          });
        await ledger.idle();
        await control.gaps.close();
        await gapLog.close();
        await (await container.getAsync(CommandBusId)).close();
      })());
    handleShutdownSignals(logger, config.app.shutdownGraceMs, stopAll);
    try {
      await service.done;
    } catch {
      await stopAll();
      return 1;
    }
    await stopAll();
    return 0;
  },
};
