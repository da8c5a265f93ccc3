import type { Admin } from 'kafkajs';
import type { Logger } from '../../ports/logger/logger.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import { kafkaErrorFacts, KafkaSinkStartError, topicCreateRefusal } from './kafka-start-error.ts';
import { verifyTopicShape } from './verify-topic-shape.ts';

/** Answers of a cluster that has not yet spread a new topic's metadata to every broker. */
const METADATA_NOT_YET = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
]);

const createTopic = async (admin: Admin, settings: KafkaSinkSettings, logger: Logger): Promise<void> => {
  const { topic, topicPartitions, replicationFactor } = settings;
  try {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: topicPartitions, replicationFactor }],
      waitForLeaders: true,
    });
    if (created)
      logger.info('Created Kafka topic', { topic, partitions: topicPartitions, replicationFactor });
  } catch (e) {
    throw topicCreateRefusal(topic, kafkaErrorFacts(e), e) ?? e;
  }
};

/**
 * Creates the tick topic when it is missing; when it exists, checks it against the settings: a
 * different partition count or replication factor is logged (the sink works with any), a topic
 * that cannot be described stops the start.
 */
export const ensureTickTopic = async (
  admin: Admin,
  settings: KafkaSinkSettings,
  logger: Logger,
): Promise<void> => {
  const { topic } = settings;
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) await createTopic(admin, settings, logger);
  let partitions;
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
  } catch (e) {
    const facts = kafkaErrorFacts(e);
    // Right after a create, the cluster may not know the topic's leaders yet: worth another try.
    if ([...facts.codes].some((c) => METADATA_NOT_YET.has(c))) throw e;
    throw new KafkaSinkStartError(
      'TopicNotDescribable',
      'TICK_TOPIC',
      `cannot describe topic "${topic}": ${facts.message}`,
      e,
    );
  }
  verifyTopicShape(topic, partitions, settings, logger);
};
