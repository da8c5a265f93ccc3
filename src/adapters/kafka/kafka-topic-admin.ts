import type { Admin } from 'kafkajs';
import type { Logger } from '../../ports/logger.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import { kafkaErrorFacts, KafkaSinkStartError } from './kafka-start-error.ts';
import { verifyTopicShape } from './verify-topic-shape.ts';

const CREATE_REFUSALS: Readonly<Record<string, 'KAFKA_TOPIC_PARTITIONS' | 'KAFKA_REPLICATION_FACTOR'>> = {
  INVALID_PARTITIONS: 'KAFKA_TOPIC_PARTITIONS',
  INVALID_REPLICATION_FACTOR: 'KAFKA_REPLICATION_FACTOR',
};

/** The refusals that retrying cannot fix; anything else may be the cluster still starting. */
const isRefusal = (types: ReadonlySet<string>): boolean =>
  [...types].some(
    (t) => t in CREATE_REFUSALS || t.endsWith('AUTHORIZATION_FAILED') || t === 'INVALID_TOPIC_EXCEPTION',
  );

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
    const facts = kafkaErrorFacts(e);
    if (!isRefusal(facts.types)) throw e;
    const setting =
      [...facts.types].map((t) => CREATE_REFUSALS[t]).find((s) => s !== undefined) ?? 'TICK_TOPIC';
    throw new KafkaSinkStartError(
      'TopicNotCreated',
      setting,
      `cannot create topic "${topic}": ${facts.message}`,
      e,
    );
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
    throw new KafkaSinkStartError(
      'TopicNotDescribable',
      'TICK_TOPIC',
      `cannot describe topic "${topic}": ${facts.message}`,
      e,
    );
  }
  verifyTopicShape(topic, partitions, settings, logger);
};
