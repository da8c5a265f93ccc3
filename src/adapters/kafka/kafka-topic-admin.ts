import type { Logger } from '../../ports/logger/logger.ts';
import type { DriverTopicAdmin, KafkaDriver, PartitionShape } from './kafka-driver.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import { KafkaSinkStartError, topicCreateRefusal } from './kafka-start-error.ts';
import { verifyTopicShape } from './verify-topic-shape.ts';

/**
 * Creates the tick topic when it is missing; when it exists, checks it against the settings: a
 * different partition count or replication factor is logged (the sink works with any), a topic
 * that cannot be described stops the start, unless the client says the cluster may still be
 * spreading it (then the error goes up, for another try).
 */
export const ensureTickTopic = async (
  admin: DriverTopicAdmin,
  driver: KafkaDriver,
  settings: KafkaSinkSettings,
  logger: Logger,
): Promise<void> => {
  const { topic, topicPartitions, replicationFactor } = settings;
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) {
    let created: boolean;
    try {
      created = await admin.createTopic({ topic, partitions: topicPartitions, replicationFactor });
    } catch (e) {
      throw topicCreateRefusal(topic, driver.errorFacts(e), e) ?? e;
    }
    if (created)
      logger.info('Created Kafka topic', { topic, partitions: topicPartitions, replicationFactor });
  }
  let partitions: readonly PartitionShape[];
  try {
    partitions = await admin.partitions(topic);
  } catch (e) {
    const facts = driver.errorFacts(e);
    if (driver.describeMayRetry(facts)) throw e;
    throw new KafkaSinkStartError(
      'TopicNotDescribable',
      'TICK_TOPIC',
      `cannot describe topic "${topic}": ${facts.message}`,
      e,
    );
  }
  verifyTopicShape(topic, partitions, settings, logger);
};

/** Runs `use` in one admin session of the driver, which is closed whatever happens. */
export const withTopicAdmin = async (
  driver: KafkaDriver,
  use: (admin: DriverTopicAdmin) => Promise<void>,
): Promise<void> => {
  const admin = driver.admin();
  try {
    await admin.connect();
    await use(admin);
  } finally {
    await admin.close().catch(() => undefined);
  }
};
