import type { KafkaSinkSettings } from '../../../adapters/kafka/kafka-settings.ts';
import {
  startKafkaRecordPublishers,
  type RecordPublishersOptions,
} from '../../../adapters/kafka/start-kafka-record-publishers.ts';
import { MemoryRecordPublisher } from '../../../adapters/memory/memory-record-publisher.ts';
import type { Logger } from '../../../ports/logger/logger.ts';
import type { Metrics } from '../../../ports/metrics.ts';
import type { RecordPublisher } from '../../../ports/record-publisher.ts';

/**
 * Where the control records (quarantine, gaps, candles) go: Kafka topics on the tick sink's
 * cluster when the ticks go to Kafka, else nowhere but the counters and the log (records kept in
 * memory and dropped), as with a demo writing to a file or a replay to stdout.
 */
export type ControlPublishersTarget =
  | {
      readonly kind: 'kafka';
      readonly settings: KafkaSinkSettings;
      /** Journals and a deferred start (see `startKafkaRecordPublishers`). */
      readonly options?: RecordPublishersOptions;
    }
  | { readonly kind: 'memory' };

/**
 * One publisher per named control topic, all Kafka or all memory: the one place that makes that
 * choice, for every mode that publishes control records. Closing each is the caller's.
 */
export const startControlPublishers = async <T extends string>(
  target: ControlPublishersTarget,
  topics: Readonly<Record<T, string>>,
  deps: { readonly logger: Logger; readonly metrics: Metrics },
): Promise<Record<T, RecordPublisher>> => {
  if (target.kind === 'kafka')
    return startKafkaRecordPublishers(target.settings, topics, deps, target.options);
  const publishers: Partial<Record<T, RecordPublisher>> = {};
  for (const name in topics) publishers[name] = new MemoryRecordPublisher();
  return publishers as Record<T, RecordPublisher>;
};
