import type { Admin, ClusterTopicMetadata } from '@platformatic/kafka';
import type { Logger } from '../../ports/logger/logger.ts';
import type { KafkaSinkSettings } from '../kafka/kafka-settings.ts';
import { isPermanentRefusal, KafkaSinkStartError, topicCreateRefusal } from '../kafka/kafka-start-error.ts';
import { platformaticErrorFacts } from './platformatic-start-error.ts';
import { verifyTopicShape } from '../kafka/verify-topic-shape.ts';

const LEADER_POLL_MS = 100;

const createTopic = async (admin: Admin, settings: KafkaSinkSettings, logger: Logger): Promise<void> => {
  const { topic, topicPartitions, replicationFactor } = settings;
  try {
    await admin.createTopics({ topics: [topic], partitions: topicPartitions, replicas: replicationFactor });
    logger.info('Created Kafka topic', { topic, partitions: topicPartitions, replicationFactor });
  } catch (e) {
    const facts = platformaticErrorFacts(e);
    if (facts.codes.has('TOPIC_ALREADY_EXISTS')) return; // created by another client meanwhile
    throw topicCreateRefusal(topic, facts, e) ?? e;
  }
};

/** The topic's metadata once every partition has a leader: a produce before that would be refused. */
const withLeaders = async (admin: Admin, topic: string): Promise<ClusterTopicMetadata | undefined> => {
  for (;;) {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    const t = metadata.topics.get(topic);
    if (t === undefined || t.partitions.every((p) => p.leader >= 0)) return t;
    await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
  }
};

/**
 * Creates the tick topic when it is missing; when it exists, checks it against the settings: a
 * different partition count or replication factor is logged (the sink works with any), a topic
 * that cannot be described stops the start. The same rules as the kafkajs sink's.
 */
export const ensureTickTopic = async (
  admin: Admin,
  settings: KafkaSinkSettings,
  logger: Logger,
): Promise<void> => {
  const { topic } = settings;
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) await createTopic(admin, settings, logger);
  let metadata: ClusterTopicMetadata | undefined;
  try {
    metadata = await withLeaders(admin, topic);
  } catch (e) {
    const facts = platformaticErrorFacts(e);
    if (!isPermanentRefusal(facts.codes) && !facts.codes.has('UNKNOWN_TOPIC_OR_PARTITION')) throw e;
    throw new KafkaSinkStartError(
      'TopicNotDescribable',
      'TICK_TOPIC',
      `cannot describe topic "${topic}": ${facts.message}`,
      e,
    );
  }
  const partitions = metadata?.partitions ?? [];
  verifyTopicShape(topic, partitions, settings, logger);
};
