import type { Logger } from '../../ports/logger/logger.ts';
import type { DriverTopicAdmin } from '../kafka/kafka-driver.ts';
import { ClusterRefused, type ClusterSettings } from './cluster-settings.ts';

/**
 * Creates the shard topic with CLUSTER_SHARDS partitions when it is missing. An existing topic
 * with another count stops the start: partition i is shard i, so every member must count alike.
 * Its records are the shared checkpoint (kafkajs-shard-checkpoints.ts), shard i's in partition i.
 */
export const ensureShardTopic = async (
  { admin, logger }: { readonly admin: DriverTopicAdmin; readonly logger: Logger },
  cluster: ClusterSettings,
  replicationFactor: number,
): Promise<void> => {
  const missing = !(await admin.listTopics()).includes(cluster.topic);
  if (
    missing &&
    (await admin.createTopic({ topic: cluster.topic, partitions: cluster.shards, replicationFactor }))
  )
    logger.info('Created the cluster shard topic', { topic: cluster.topic, partitions: cluster.shards });
  const partitions = (await admin.partitions(cluster.topic)).length;
  if (partitions !== cluster.shards)
    throw new ClusterRefused(
      `CLUSTER_TOPIC ${cluster.topic} has ${partitions} partitions but CLUSTER_SHARDS is ${cluster.shards}: ` +
        "set CLUSTER_SHARDS to the topic's count on every instance, or name another CLUSTER_TOPIC",
    );
};
