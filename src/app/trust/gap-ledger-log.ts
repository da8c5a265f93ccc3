import { Kafka } from 'kafkajs';
import { FileEventLog } from '../../adapters/event-log/file-event-log.ts';
import { kafkaClientConfig } from '../../adapters/kafka/kafka-client-config.ts';
import type { GapLedgerEvent } from '../../domain/gap-ledger.ts';
import type { EventLog } from '../../ports/event-log.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { GapLedgerEventC } from './gap-event-codec.ts';

/**
 * The gap ledger's event log, where EVENT_LOG says: the `gaps` stream file in EVENT_LOG_DIR, or
 * a topic of its own beside EVENT_LOG_TOPIC (`<topic>-gaps`), since a Kafka log reads its whole
 * topic with one codec and the plan events are not gap events.
 */
export const openGapLedgerLog = async (
  config: ServiceConfig,
  logger: Logger,
  metrics: Metrics,
): Promise<EventLog<GapLedgerEvent>> =>
  config.eventLog.kind === 'kafka'
    ? new (await import('../../adapters/event-log/kafka-event-log.ts')).KafkaEventLog({
        kafka: new Kafka(await kafkaClientConfig(config.kafka, logger)),
        topic: `${config.eventLog.topic}-gaps`,
        codec: GapLedgerEventC,
        logger,
        replicationFactor: config.kafka.replicationFactor,
      })
    : new FileEventLog({ dir: config.eventLog.dir, codec: GapLedgerEventC, logger, metrics });
