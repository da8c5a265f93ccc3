import type { Logger } from '../../ports/logger/logger.ts';
import { KafkaSinkStartError } from './kafka-start-error.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';

/**
 * Checks an existing topic's shape against the settings, whichever client described it: no
 * partition is a start failure; a different partition count or replication factor is a warning,
 * since an operator may have changed them on purpose.
 */
export const verifyTopicShape = (
  topic: string,
  partitions: readonly { readonly replicas: readonly unknown[] }[],
  settings: KafkaSinkSettings,
  logger: Logger,
): void => {
  if (partitions.length === 0)
    throw new KafkaSinkStartError('TopicNotDescribable', 'TICK_TOPIC', `topic "${topic}" has no partitions`);
  if (partitions.length !== settings.topicPartitions)
    logger.warn('Kafka topic partition count differs from KAFKA_TOPIC_PARTITIONS', {
      topic,
      partitions: partitions.length,
      expected: settings.topicPartitions,
    });
  const replicas = Math.min(...partitions.map((p) => p.replicas.length));
  if (replicas !== settings.replicationFactor)
    logger.warn('Kafka topic replication factor differs from KAFKA_REPLICATION_FACTOR', {
      topic,
      replicationFactor: replicas,
      expected: settings.replicationFactor,
    });
};
