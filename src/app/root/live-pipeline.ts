import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Container } from 'inversify';
import { KafkajsClusterMembership } from '../../adapters/cluster/kafkajs-cluster-membership.ts';
import { KafkajsShardCheckpoints } from '../../adapters/cluster/kafkajs-shard-checkpoints.ts';
import { KafkaTickSink } from '../../adapters/kafka/kafka-tick-sink.ts';
import type { MstockCredentials } from '../../adapters/mstock/mstock-login.ts';
import type { OtpPrompt } from '../../adapters/mstock/session-manager.ts';
import { PrometheusMetrics } from '../../adapters/prometheus/prometheus-metrics.ts';
import { startFeedRecording } from '../../adapters/recording/feed-recorder.ts';
import { RunCheckpointFile } from '../../adapters/run-checkpoint/run-checkpoint-file.ts';
import { acquireLockFile, LockHeld } from '../../adapters/system/lock-file.ts';
import { DEFAULT_FRESHNESS_TUNING } from '../../domain/instrument-freshness.ts';
import type { Exchange, Instrument, InstrumentToken } from '../../domain/instrument.ts';
import { parseIstTimeOfDay, type IstTimeOfDay } from '../../domain/ist.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { startSelectionRefresh, type RunningSelectionRefresh } from '../live/selection-refresh.ts';
import { selectionAtStart, type FollowedSelection } from './instrument-selection.ts';
import { BrokerFeedId } from '../../ports/broker-feed.ts';
import { ClockId, type Clock } from '../../ports/clock.ts';
import { CommandBusId, type CommandBus } from '../../ports/command-bus/command-bus.ts';
import { HistoricalDataId } from '../../ports/historical-data.ts';
import type { RecordPublisher } from '../../ports/record-publisher.ts';
import { TickSinkId } from '../../ports/tick-sink/tick-sink.ts';
import { startShardFollowing, type RunningShardFollowing } from '../cluster/shard-following.ts';
import { SharedCheckpoint } from '../cluster/shared-checkpoint.ts';
import { startInBackground } from '../command-listener.ts';
import { downtimeStage } from '../live/downtime-stage.ts';
import { gapConsumerStage } from '../live/gap-report-stage.ts';
import { startLiveService, type RunningLiveService } from '../live/live-service.ts';
import type { TrustOptions } from '../live/trust-stages.ts';
import { coordinatorGapFiller } from '../trust/coordinator-gap-filler.ts';
import { DowntimeRecorder } from '../trust/downtime-recorder.ts';
import { GapLedgerWriter } from '../trust/gap-ledger-writer.ts';
import { startBackfillCoordinator, type RunningBackfill } from './backfill-root.ts';
import { bindTelemetry } from './bind-telemetry.ts';
import type { Startup } from './startup.ts';
import type { ServiceConfig } from './config/service-config.ts';
import type { Env } from './config/setting.ts';
import { validationRulesOf } from './config/validation-rules.ts';
import {
  GapLedgerLogId,
  MarketSessionId,
  PrometheusMetricsId,
  ReconciliationLogId,
  SelectionLogId,
  SelectionSourceId,
  buildContainer,
  type SinkChoice,
} from './container.ts';
import { startControlPublishers } from './container/control-publishers.ts';
import { StartRefused } from './start-refused.ts';

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
  /** Where /metrics, /healthz and /readyz are served. */
  readonly telemetryUrl: string;
  /** The instruments followed now (INSTRUMENTS_QUERY's selection changes at each refresh). */
  instruments(): readonly Instrument[];
  /** Stops everything in order: backfill, feed and sink, recording, gap ledger, command bus. */
  stop(): Promise<void>;
}

/** Each token's last accepted tick, under DATA_DIR, for the next run's downtime gaps. */
const RUN_CHECKPOINT_FILE = 'run-checkpoint.json';
/** After a crash, a downtime gap starts at most this much before the true last accepted tick. */
const RUN_CHECKPOINT_INTERVAL_MS = 1000;
/**
 * How long a member that gains shards waits for their shared checkpoint before following them
 * without it (and without their failover gaps): it delays the failover itself, so it stays short.
 */
const SHARED_CHECKPOINT_READ_MS = 3000;
/** After a failed evaluation of INSTRUMENTS_QUERY (no master), the next try. */
const SELECTION_RETRY_MS = 15 * 60_000;

/** REFRESH_INSTRUMENTS: evaluate the query now, on a freshly downloaded master. */
const refreshByCommand = (refresh: RunningSelectionRefresh | undefined, logger: Logger): void => {
  if (refresh === undefined) {
    logger.warn('REFRESH_INSTRUMENTS ignored: the service is still starting');
    return;
  }
  void refresh.refresh('command');
};

const istTimeOfDayOf = (text: string): IstTimeOfDay => {
  const t = parseIstTimeOfDay(text);
  // Decoded by the config's own codec: reaching here is a wiring bug.
  if (t === undefined) throw new Error(`INSTRUMENTS_REFRESH_AT: not a time of day: ${text}`);
  return t;
};

type ControlPublishers = Record<'quarantine' | 'gaps' | 'candles', RecordPublisher>;

/** Whatever a start opened, closed in reverse order when a later step fails. */
type Closer = () => Promise<unknown>;

const closeInReverse = async (opened: Closer[], logger: LivePipelineOptions['startup']['logger']) => {
  for (const close of opened.reverse()) {
    await close().catch((e: unknown) => {
      logger.warn('Could not close after a failed start', {
        error: e instanceof Error ? e.message : String(e),
      });
    });
  }
};

/** The lock that keeps a second service off this DATA_DIR (its journals would clash). */
const lockDataDir = async (dataDir: string): Promise<() => Promise<void>> => {
  try {
    return await acquireLockFile(join(dataDir, 'service.lock'), 0);
  } catch (e) {
    if (!(e instanceof LockHeld)) throw e;
    throw new StartRefused(
      `DATA_DIR ${dataDir} is in use by another tickflow (pid ${e.pid}); stop it or give this one its own DATA_DIR`,
    );
  }
};

/**
 * The live and demo modes' root, as `tickflow live` and `tickflow demo` run it: feed → trust
 * stages → sink, with the control topics (quarantine, gaps, candles), the gap ledger, the backfill
 * coordinator and the optional session recording. First it locks DATA_DIR and binds the telemetry
 * port, so that a second service or a busy port stops the start before anything connects. Resolves
 * undefined when the start failed (already logged as one line), after closing whatever it had opened.
 */
export const startLivePipeline = async (o: LivePipelineOptions): Promise<LivePipeline | undefined> => {
  const { logger } = o.startup;
  const opened: Closer[] = [];
  try {
    return await startInOrder(o, opened);
  } catch (e) {
    await closeInReverse(opened, logger);
    logger.error(e instanceof Error ? e.message : String(e));
    if (!(e instanceof StartRefused) && e instanceof Error && e.stack !== undefined)
      logger.debug('Start failed', { stack: e.stack });
    return undefined;
  }
};

/**
 * Everything this mode takes from the container, resolved here and nowhere else. What opens a
 * connection or a file pushes its close onto `opened`. The command bus is resolved when first
 * asked for: neither the feed nor the start-up backfill waits for Redis.
 */
const resolveLiveParts = async (container: Container, opened: Closer[]) => {
  const sink = await container.getAsync(TickSinkId);
  opened.push(() => sink.close());
  let commandBus: Promise<CommandBus> | undefined;
  return {
    metrics: container.get(PrometheusMetricsId),
    clock: container.get(ClockId),
    session: container.get(MarketSessionId),
    feed: container.get(BrokerFeedId),
    historical: container.get(HistoricalDataId),
    sink,
    commandBus: (): Promise<CommandBus> => (commandBus ??= container.getAsync(CommandBusId)),
    selectionSource: container.get(SelectionSourceId),
    selectionLog: () => container.getAsync(SelectionLogId),
    gapLog: () => container.getAsync(GapLedgerLogId),
    reconciliationLog: () => container.getAsync(ReconciliationLogId),
  };
};

/** Each step pushes how to close what it opened onto `opened`, before the next step runs. */
const startInOrder = async (o: LivePipelineOptions, opened: Closer[]): Promise<LivePipeline> => {
  const { config, logger } = o.startup;
  const a = config.app;
  const unlock = await lockDataDir(a.dataDir);
  opened.push(unlock);
  const registry = new PrometheusMetrics();
  const telemetry = await bindTelemetry(
    { metrics: () => registry.exposition(), contentType: registry.contentType },
    { host: a.metricsHost, port: a.metricsPort, anyPortWhenBusy: o.anyMetricsPort === true },
  );
  opened.push(() => telemetry.server.close());
  logger.info('Telemetry listening', { url: telemetry.server.url });
  // RECORD_FRAMES: every raw frame also goes to session files, for `tickflow replay`.
  const recording = a.recordFrames
    ? startFeedRecording({ dir: join(a.dataDir, 'recordings'), logger, metrics: registry })
    : undefined;
  if (recording !== undefined) opened.push(() => recording.close());
  // Ticks carry the exchange of their instrument, known once the selection is (below).
  const known: { followed?: FollowedSelection } = {};
  const container = buildContainer({
    exchangeOf: (token) => known.followed?.knownExchangeOf(token),
    config,
    instruments: o.startup.instruments,
    logger,
    metrics: registry,
    sink: o.sink,
    ...(o.broker === undefined ? {} : { broker: o.broker }),
    ...(o.promptOtp === undefined ? {} : { promptOtp: o.promptOtp }),
    ...(recording === undefined ? {} : { feedTap: recording.tap }),
    ...(o.clock === undefined ? {} : { clock: o.clock }),
  });
  const parts = await resolveLiveParts(container, opened);
  const { metrics, clock, session, sink } = parts;
  // What to follow, before anything else connects: a query the master cannot answer stops the start.
  // CLUSTER_GROUP: each member follows its shards' share, so the whole selection is not bounded by one member's sockets.
  const cluster = o.sink.kind === 'kafka' ? config.cluster : undefined;
  const selection = await selectionAtStart(
    o.startup.instruments,
    parts.selectionSource,
    cluster === undefined
      ? { maxInstrumentsPerSocket: a.maxInstrumentsPerSocket, maxSockets: a.maxSockets }
      : undefined,
    logger,
  );
  known.followed = selection.followed;
  const instruments = selection.followed.current();
  // Set once the feed runs; REFRESH_INSTRUMENTS may arrive before (it is then refused as too early).
  let selectionRefresh: RunningSelectionRefresh | undefined;
  // CLUSTER_GROUP: start following nothing; the group's assignments add the instruments of our shards.
  const followedAtStart = cluster === undefined ? instruments : [];
  // Kafka may be met after the start (KAFKA_REQUIRED_AT_START=false): a topic then found wrong, for
  // the ticks or a control topic, stops the service with that error, the journals kept.
  const kafkaLink = sink instanceof KafkaTickSink ? sink.link : undefined;
  const kafkaRefused = Promise.withResolvers<never>();
  kafkaRefused.promise.catch(() => undefined);
  kafkaLink?.fatal.catch(kafkaRefused.reject);
  const control: ControlPublishers = await startControlPublishers(
    o.sink.kind === 'kafka'
      ? {
          kind: 'kafka',
          settings: config.kafka,
          // Beside the tick journal: what the control topics accepted survives an outage and a crash.
          options: {
            journalDir: `${config.kafka.journal.dir}-control`,
            ...(config.kafka.requiredAtStart ? {} : { deferred: { clock, onFatal: kafkaRefused.reject } }),
          },
        }
      : { kind: 'memory' },
    { quarantine: a.quarantineTopic, gaps: a.gapTopic, candles: a.candleTopic },
    { logger, metrics },
  );
  opened.push(() => Promise.all(Object.values(control).map((p) => p.close())));
  // Backfill at start (market closed) and on START_BACKFILL from Redis; neither the feed nor the
  // start-up backfill waits for Redis (the bus connects when it can).
  let commands: CommandBus | undefined;
  // CLUSTER_GROUP: the backfill covers the instruments of our shards, known once the group assigns them.
  const shardFollowing = Promise.withResolvers<RunningShardFollowing>();
  if (cluster !== undefined && config.eventLog.kind === 'file')
    logger.warn(
      'EVENT_LOG=file in a cluster: a moved shard’s unfinished backfill is started again by its new owner, not resumed (its own start-up backfill or the next START_BACKFILL); set EVENT_LOG=kafka to have it resumed',
      { group: cluster.group },
    );
  const backfill = startInBackground<RunningBackfill>(
    'Backfill coordinator',
    async () =>
      startBackfillCoordinator(config, {
        env: o.env,
        logger,
        metrics,
        clock,
        session,
        bus: (commands = await parts.commandBus()),
        instruments: selection.followed,
        ...(selection.byQuery
          ? { refreshInstruments: () => refreshByCommand(selectionRefresh, logger) }
          : {}),
        ...(cluster === undefined
          ? {}
          : { owned: { ownedShards: async () => (await shardFollowing.promise).ownedShards() } }),
      }),
    logger,
    10_000,
  );
  opened.push(async () => {
    await backfill.stop((b) => b.stop());
    await (await parts.commandBus()).close();
  });
  // Every gap on record (event log stream `gaps`, GAP_TOPIC) until its backfill fills it.
  const gapLog = await parts.gapLog();
  opened.push(() => gapLog.close());
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
  opened.push(() => ledger.close());
  // A Kafka event log waits for Kafka; the feed does not: resume the open gaps once it answers.
  const gapsResumed =
    config.eventLog.kind === 'kafka'
      ? startInBackground('Resuming open gaps from the ledger', () => ledger.resume(), logger, 5000)
      : undefined;
  opened.push(() => gapsResumed?.stop(() => Promise.resolve()) ?? Promise.resolve());
  if (gapsResumed === undefined)
    await ledger.resume().catch((e: unknown) => {
      logger.error('Could not resume open gaps from the ledger', {
        error: e instanceof Error ? e.message : String(e),
      });
    });
  // In a cluster, each shard's last accepted ticks on the cluster topic too: a member that gains
  // the shard of a dead one opens a failover gap per instrument from there.
  const checkpointStore =
    cluster === undefined
      ? undefined
      : new KafkajsShardCheckpoints(cluster, config.kafka, logger, {
          newestTimeoutMs: SHARED_CHECKPOINT_READ_MS,
        });
  opened.push(() => checkpointStore?.close() ?? Promise.resolve());
  const shared =
    checkpointStore === undefined || cluster === undefined
      ? undefined
      : new SharedCheckpoint(
          { store: checkpointStore, logger, metrics },
          { owner: `${hostname()}:${process.pid}`, shardCount: cluster.shards },
        );
  // The previous run's end on record: each token's last accepted tick to its first tick of this run.
  const downtime = await DowntimeRecorder.start(
    {
      store: new RunCheckpointFile(join(a.dataDir, RUN_CHECKPOINT_FILE)),
      openGap: (gap) => ledger.open(gap),
      clock,
      logger,
      metrics,
      ...(shared === undefined ? {} : { shared: (lastAccepted, at) => shared.publish(lastAccepted, at) }),
    },
    { tokens: followedAtStart.map((i) => i.token), intervalMs: RUN_CHECKPOINT_INTERVAL_MS },
  );
  opened.push(() => Promise.resolve(downtime.close()));
  const reconciliationLog = await parts.reconciliationLog();
  opened.push(() => reconciliationLog.close());
  let following: RunningShardFollowing | undefined;
  // From here on the service owns the sink: `stop` closes it.
  const service = startLiveService(
    {
      feed: parts.feed,
      sink: downtime.watch(sink),
      logger,
      metrics,
      clock,
      session,
      instruments: followedAtStart,
      serveReadiness: (readiness) => telemetry.serveReadiness(readiness),
      gapConsumers: [gapConsumerStage('gap-ledger', (gap) => ledger.record(gap))],
      stages: [downtimeStage(downtime)],
      degradedBy: () => {
        const redis = commands?.connection() ?? {
          connected: false,
          reason: 'the command bus is not started',
        };
        const kafka = kafkaLink?.status();
        return {
          redis: redis.connected ? undefined : redis.reason,
          // The feed is still taken and journaled while Kafka is away: degraded, not unready.
          ...(kafka === undefined
            ? {}
            : {
                kafka:
                  kafka.unreachableSince === undefined
                    ? undefined
                    : `unreachable since ${new Date(kafka.unreachableSince).toISOString()}`,
              }),
        };
      },
      ...(cluster === undefined
        ? {}
        : { notReadyBy: () => ({ cluster: following === undefined ? 'joining' : following.readiness() }) }),
      fatal: kafkaRefused.promise,
      trust: trustOptions(config, selection.followed.exchangeOf, {
        control,
        historical: parts.historical,
        reconciliationLog,
      }),
    },
    { mode: a.subscriptionMode, maxInFlight: 64, ...(o.keepLatest === true ? { keepLatest: true } : {}) },
  );
  if (cluster !== undefined)
    following = startShardFollowing(
      {
        membership: new KafkajsClusterMembership(cluster, config.kafka, logger),
        pipeline: service,
        instruments,
        logger,
        metrics,
        // A shard topic of another partition count, a session timeout the broker refuses: the
        // service stops, naming the setting.
        onRefused: kafkaRefused.reject,
        ...(shared === undefined
          ? {}
          : { takeOver: async (shards) => downtime.expectFailovers(await shared.failovers(shards)) }),
        // A moved shard's plan is finished by its new owner (from the shared event log), never twice.
        release: async (shards) => backfill.current()?.coordinator.releaseShards(shards),
        gained: (shards) => backfill.current()?.coordinator.adoptShards(shards),
      },
      { group: cluster.group, shardCount: cluster.shards },
    );
  if (following !== undefined) shardFollowing.resolve(following);
  // INSTRUMENTS_QUERY: evaluated again before each session and on REFRESH_INSTRUMENTS; a change is
  // followed without a restart (in a cluster, within the shards this member holds).
  const selectionLog = selection.byQuery ? await parts.selectionLog() : undefined;
  if (selectionLog !== undefined) opened.push(() => selectionLog.close());
  if (selectionLog !== undefined)
    selectionRefresh = startSelectionRefresh(
      {
        source: parts.selectionSource,
        follower: {
          follow: (change, selected) => {
            selection.followed.replace(selected);
            if (following !== undefined) {
              void following.replaceInstruments(selected);
              return true;
            }
            const removed = change.removed.map((i) => i.token);
            const added = change.added.map((i) => i.token);
            const dropped = removed.length === 0 || service.remove(removed);
            const took = added.length === 0 || service.add(added);
            return dropped && took;
          },
        },
        log: selectionLog,
        clock,
        session,
        logger,
        metrics,
      },
      {
        refreshAt: istTimeOfDayOf(a.instrumentsRefreshAt),
        retryMs: SELECTION_RETRY_MS,
        // In a cluster each member follows only its shards' share of the selection.
        capacity: cluster === undefined ? a.maxInstrumentsPerSocket * a.maxSockets : Number.POSITIVE_INFINITY,
      },
      { masterDay: selection.masterDay, instruments },
    );
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await selectionRefresh?.stop();
      // Leave the group first: the others take our shards now, not after the session timeout.
      await following?.stop();
      await backfill.stop((b) => b.stop());
      await gapsResumed?.stop(() => Promise.resolve());
      await service.stop();
      await telemetry.server.close();
      const recorded = await recording?.close();
      if (recorded !== undefined) {
        logger.info('Recording closed', {
          files: recorded.files.length,
          frames: recorded.frames,
          lostFrames: recorded.lostFrames,
        });
      }
      await ledger.close();
      await downtime.stop(); // last: every publish settled, so the checkpoint is this run's last word
      await checkpointStore?.close();
      await control.gaps.close(); // the trust stages closed the quarantine and candle publishers
      await gapLog.close();
      await reconciliationLog.close();
      await selectionLog?.close();
      await (await parts.commandBus()).close();
      await unlock();
    })());
  return {
    service,
    telemetryUrl: telemetry.server.url,
    instruments: () => selection.followed.current(),
    stop,
  };
};

/** The trust stages' settings: validation, freshness, subscriptions, and the candles reconciled after the close. */
const trustOptions = (
  config: ServiceConfig,
  exchangeOf: (token: InstrumentToken) => Exchange,
  deps: {
    readonly control: ControlPublishers;
    readonly historical: TrustOptionsCandles['historical'];
    readonly reconciliationLog: NonNullable<TrustOptionsCandles['log']>;
  },
): TrustOptions => {
  const a = config.app;
  return {
    quarantine: deps.control.quarantine,
    validation: validationRulesOf(a),
    freshness: {
      factor: a.silentInstrumentFactor,
      floorMs: a.silentInstrumentFloorMs,
      ...DEFAULT_FRESHNESS_TUNING,
    },
    muteAfterMs: a.feedStaleAfterMs,
    subscriptionConfirmMs: a.subscriptionConfirmMs,
    candles: {
      publisher: deps.control.candles,
      historical: deps.historical,
      exchangeOf,
      priceTolerance: 0.001,
      reconcile: a.reconcileAfterClose,
      log: deps.reconciliationLog,
    },
  };
};

type TrustOptionsCandles = NonNullable<TrustOptions['candles']>;
