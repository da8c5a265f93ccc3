import type { Admin, Kafka } from 'kafkajs';
import type { DriverTopicAdmin, PartitionShape, TopicSpec } from '../kafka-driver.ts';
import { CLIENT_RETRY } from './kafka-client-config.ts';

/** A kafkajs admin session: the topic checks of kafka-topic-admin.ts in kafkajs's calls. */
export class KafkajsTopicAdmin implements DriverTopicAdmin {
  private readonly admin: Admin;

  constructor(kafka: Kafka) {
    this.admin = kafka.admin({ retry: CLIENT_RETRY });
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  createTopic({ topic, partitions, replicationFactor }: TopicSpec): Promise<boolean> {
    return this.admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor }],
      waitForLeaders: true,
    });
  }

  async partitions(topic: string): Promise<readonly PartitionShape[]> {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}
