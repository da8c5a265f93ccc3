import { Admin, type BaseOptions } from '@platformatic/kafka';
import type { DriverTopicAdmin, PartitionShape, TopicSpec } from '../kafka-driver.ts';
import { platformaticErrorFacts } from './platformatic-errors.ts';

const LEADER_POLL_MS = 100;

/** A @platformatic/kafka admin session: the topic checks of kafka-topic-admin.ts in its calls. */
export class PlatformaticTopicAdmin implements DriverTopicAdmin {
  private readonly admin: Admin;

  constructor(options: BaseOptions) {
    this.admin = new Admin(options);
  }

  /** The client connects on its first request. */
  connect(): Promise<void> {
    return Promise.resolve();
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async createTopic({ topic, partitions, replicationFactor }: TopicSpec): Promise<boolean> {
    try {
      await this.admin.createTopics({ topics: [topic], partitions, replicas: replicationFactor });
      return true;
    } catch (e) {
      // Created by another client meanwhile.
      if (platformaticErrorFacts(e).codes.has('TOPIC_ALREADY_EXISTS')) return false;
      throw e;
    }
  }

  /** Once every partition has a leader: a produce before that would be refused. */
  async partitions(topic: string): Promise<readonly PartitionShape[]> {
    for (;;) {
      const metadata = await this.admin.metadata({ topics: [topic], forceUpdate: true });
      const found = metadata.topics.get(topic);
      if (found === undefined) return [];
      if (found.partitions.every((p) => p.leader >= 0)) return found.partitions;
      await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
    }
  }

  close(): Promise<void> {
    return this.admin.close();
  }
}
