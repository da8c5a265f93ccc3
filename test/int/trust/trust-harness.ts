import { simulatorCredentials } from '../../../src/dev/demo/simulator-env.ts';
import { either as E } from 'fp-ts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { MemoryEventLog } from '../../../src/adapters/memory/memory-event-log.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { startKafkaRecordPublishers } from '../../../src/adapters/kafka/start-kafka-record-publishers.ts';
import { decodeServiceConfig } from '../../../src/app/root/config/service-config.ts';
import { MarketSessionId, PrometheusMetricsId, buildContainer } from '../../../src/app/root/container.ts';
import { gapConsumerStage } from '../../../src/app/live/gap-report-stage.ts';
import { startLiveService, type RunningLiveService } from '../../../src/app/live/live-service.ts';
import { bindTelemetry, type BoundTelemetry } from '../../../src/app/root/bind-telemetry.ts';
import { resolveInstruments } from '../../../src/app/root/resolve-instruments.ts';
import { GapLedgerEventC } from '../../../src/ports/event-log/streams/gap-event-codec.ts';
import { GapLedgerWriter } from '../../../src/app/trust/gap-ledger-writer.ts';
import { validationRulesOf } from '../../../src/app/root/config/validation-rules.ts';
import { ReconciliationEventC } from '../../../src/ports/event-log/streams/reconciliation-event-codec.ts';
import type { ReconciliationEvent } from '../../../src/domain/reconciliation-events.ts';
import type { EventLog } from '../../../src/ports/event-log/event-log.ts';
import type { FeedGap } from '../../../src/domain/feed-events.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { BrokerFeedId } from '../../../src/ports/broker-feed.ts';
import { HistoricalDataId } from '../../../src/ports/historical-data.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { TickSinkId } from '../../../src/ports/tick-sink/tick-sink.ts';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import type { SimulatorOptions } from '../../../src/simulator/simulator-options.ts';
import { readTopicWithKcat, type KcatMessage } from '../../support/kcat.ts';

export interface TrustBed {
  readonly sim: RunningSimulator;
  readonly service: RunningLiveService;
  /** The telemetry server, bound first as the root binds it. */
  readonly telemetry: BoundTelemetry['server'];
  readonly logger: MemoryLogger;
  readonly gaps: FeedGap[];
  /** The reconciliation's events, as the event log holds them. */
  readonly reconciliation: EventLog<ReconciliationEvent>;
  readonly topics: {
    readonly ticks: string;
    readonly quarantine: string;
    readonly gaps: string;
    readonly candles: string;
  };
  metrics(): Promise<string>;
  read(topic: string): Promise<KcatMessage[]>;
  stop(): Promise<void>;
}

/**
 * The live pipeline in-process, as `tickflow live` assembles it, against the simulator and the
 * real Kafka: both share one market clock, placed at `marketTime` and running at `speed` (wall
 * speed by default), so a test chooses day or night, or lives through a session in seconds. Gaps are filled by a stand-in backfill that succeeds at once.
 */
export const startTrustBed = async (options: {
  readonly marketTime: number;
  /** Market seconds per real second (1: wall speed), so a test can live through a session. */
  readonly speed?: number;
  /** Simulator options beyond the clock (rate 1500 by default). */
  readonly sim?: Partial<SimulatorOptions>;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<TrustBed> => {
  const startedAt = Date.now();
  const speed = options.speed ?? 1;
  const now = (): number => Math.floor(options.marketTime + (Date.now() - startedAt) * speed);
  const clock: Clock = { now: () => epochMs(now()) };
  const sim = await startSimulator({ port: 0, rate: 1500, alwaysOpen: true, ...options.sim, clock: now });
  const ns = randomUUID().slice(0, 8);
  const topics = {
    ticks: `ticks-${ns}`,
    quarantine: `quarantine-${ns}`,
    gaps: `gaps-${ns}`,
    candles: `candles-${ns}`,
  };
  const decoded = decodeServiceConfig(
    {
      KAFKA_BROKER: inject('kafkaBroker'),
      TICK_TOPIC: topics.ticks,
      QUARANTINE_TOPIC: topics.quarantine,
      GAP_TOPIC: topics.gaps,
      KAFKA_TOPIC_PARTITIONS: '3',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-trust-')),
      FEED_STALE_AFTER_MS: '2000',
      SILENT_INSTRUMENT_FACTOR: '5',
      SILENT_INSTRUMENT_FLOOR_MS: '1500',
      ...options.env,
    },
    'demo',
  );
  if (E.isLeft(decoded)) throw new Error(decoded.left.join('; '));
  const config = decoded.right;
  const instruments = await resolveInstruments(config.app);
  if (E.isLeft(instruments)) throw new Error(instruments.left.join('; '));
  const logger = new MemoryLogger('info');
  const container = buildContainer({
    config,
    instruments: { kind: 'list', instruments: instruments.right },
    logger,
    sink: { kind: 'kafka' },
    clock,
    broker: {
      apiUrl: sim.url,
      wsUrl: sim.wsUrl,
      credentials: simulatorCredentials,
    },
  });
  const metrics = container.get(PrometheusMetricsId);
  const session = container.get(MarketSessionId);
  const sink = await container.getAsync(TickSinkId);
  const control = await startKafkaRecordPublishers(
    config.kafka,
    { quarantine: topics.quarantine, gaps: topics.gaps, candles: topics.candles },
    { logger, metrics },
  );
  const gaps: FeedGap[] = [];
  const reconciliation = new MemoryEventLog(ReconciliationEventC);
  const ledger = new GapLedgerWriter(
    {
      log: new MemoryEventLog(GapLedgerEventC),
      publisher: control.gaps,
      fill: () =>
        Promise.resolve({ kind: 'backfilled', coverage: { expected: 1, received: 1, shortTokens: [] } }),
      clock,
      logger,
      metrics,
    },
    { maxAttempts: 3, retryDelayMs: 1000 },
  );
  const a = config.app;
  const telemetry = await bindTelemetry(
    { metrics: () => metrics.exposition(), contentType: metrics.contentType },
    { host: '127.0.0.1', port: 0 },
  );
  const service = startLiveService(
    {
      feed: container.get(BrokerFeedId),
      sink,
      logger,
      metrics,
      clock,
      session,
      instruments: instruments.right,
      serveReadiness: (readiness) => telemetry.serveReadiness(readiness),
      gapConsumers: [
        gapConsumerStage('gap-ledger', (gap) => {
          gaps.push(gap);
          ledger.record(gap);
        }),
      ],
      trust: {
        quarantine: control.quarantine,
        validation: validationRulesOf(a),
        freshness: {
          factor: a.silentInstrumentFactor,
          floorMs: a.silentInstrumentFloorMs,
          minSamples: 5,
          alpha: 0.1,
        },
        muteAfterMs: a.feedStaleAfterMs,
        subscriptionConfirmMs: a.subscriptionConfirmMs,
        candles: {
          publisher: control.candles,
          historical: container.get(HistoricalDataId),
          exchangeOf: () => 'NSE',
          priceTolerance: 0.001,
          reconcile: true,
          log: reconciliation,
        },
      },
    },
    { mode: 'full', maxInFlight: 64 },
  );
  return {
    sim,
    service,
    telemetry: telemetry.server,
    logger,
    gaps,
    reconciliation,
    topics,
    metrics: () => metrics.exposition(),
    read: (topic) => readTopicWithKcat(inject('kafkaBroker'), topic),
    stop: async () => {
      await service.stop();
      await telemetry.server.close();
      await ledger.idle();
      await control.gaps.close();
      await sim.close();
    },
  };
};

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

export const waitFor = async (
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
};
