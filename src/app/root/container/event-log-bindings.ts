import type { Container } from 'inversify';
import { Kafka } from 'kafkajs';
import type { EventCodecInput } from '../../../ports/event-log/event-codec.ts';
import { FileEventLog } from '../../../adapters/event-log/file-event-log.ts';
import { kafkaClientConfig } from '../../../adapters/kafka/kafkajs/kafka-client-config.ts';
import type { EventLog } from '../../../ports/event-log/event-log.ts';
import { LoggerId, type Logger } from '../../../ports/logger/logger.ts';
import { MetricsId, type Metrics } from '../../../ports/metrics.ts';
import { BackfillLogEventC } from '../../../ports/event-log/streams/plan-event-codec.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { GapLedgerEventC } from '../../../ports/event-log/streams/gap-event-codec.ts';
import { ReconciliationEventC } from '../../../ports/event-log/streams/reconciliation-event-codec.ts';
import { SelectionEventC } from '../../../ports/event-log/streams/selection-event-codec.ts';
import { BackfillLogId, GapLedgerLogId, ReconciliationLogId, SelectionLogId } from './tokens.ts';

/** Whose streams a log holds: the cluster's (plans, resumed by a shard's next owner) or this member's. */
type LogScope = 'shared' | 'member';

/**
 * An event log where EVENT_LOG says: NDJSON files in EVENT_LOG_DIR, or a topic beside
 * EVENT_LOG_TOPIC. A member's own streams (gap ledger, reconciliations) stay in its EVENT_LOG_DIR
 * in a cluster whatever EVENT_LOG says: a gap is recorded and filled by the member that followed
 * the instrument, and several members appending to one stream of a shared topic would corrupt it
 * (Kafka has no conditional append).
 */
const openEventLog =
  <E>(config: ServiceConfig, codec: EventCodecInput<E>, topicSuffix: string, scope: LogScope) =>
  async (logger: Logger, metrics: Metrics): Promise<EventLog<E>> =>
    config.eventLog.kind === 'kafka' && (scope === 'shared' || config.cluster === undefined)
      ? // Loaded only when chosen: most runs keep their events in files.
        new (await import('../../../adapters/event-log/kafka-event-log.ts')).KafkaEventLog({
          kafka: new Kafka(await kafkaClientConfig(config.kafka, logger)),
          topic: `${config.eventLog.topic}${topicSuffix}`,
          codec,
          logger,
          replicationFactor: config.kafka.replicationFactor,
        })
      : new FileEventLog({ dir: config.eventLog.dir, codec, logger, metrics });

/** The backfill plans' log: the `EVENT_LOG_TOPIC` topic itself, or its streams in EVENT_LOG_DIR. */
export const bindBackfillLog = (c: Container, config: ServiceConfig): void => {
  c.bind(BackfillLogId).toResolvedValue(openEventLog(config, BackfillLogEventC, '', 'shared'), [
    LoggerId,
    MetricsId,
  ]);
};

/**
 * The gap ledger's log: the `gaps` stream file in EVENT_LOG_DIR, or a topic of its own
 * (`<topic>-gaps`), since a Kafka log reads its whole topic with one codec and plan events are not
 * gap events.
 */
export const bindGapLedgerLog = (c: Container, config: ServiceConfig): void => {
  c.bind(GapLedgerLogId).toResolvedValue(openEventLog(config, GapLedgerEventC, '-gaps', 'member'), [
    LoggerId,
    MetricsId,
  ]);
};

/** The reconciliations' log: the `reconciliation` stream file, or a topic of its own (`<topic>-reconciliation`). */
export const bindReconciliationLog = (c: Container, config: ServiceConfig): void => {
  c.bind(ReconciliationLogId).toResolvedValue(
    openEventLog(config, ReconciliationEventC, '-reconciliation', 'member'),
    [LoggerId, MetricsId],
  );
};

/** The instrument selection's log: the `selection` stream file, or a topic of its own (`<topic>-selection`). */
export const bindSelectionLog = (c: Container, config: ServiceConfig): void => {
  c.bind(SelectionLogId).toResolvedValue(openEventLog(config, SelectionEventC, '-selection', 'member'), [
    LoggerId,
    MetricsId,
  ]);
};
