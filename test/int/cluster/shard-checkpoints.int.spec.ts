import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { KafkajsShardCheckpoints } from '../../../src/adapters/cluster/kafkajs-shard-checkpoints.ts';
import { kafkaSinkSettingsFromEnv } from '../../../src/adapters/kafka/kafka-settings.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { ShardCheckpoint } from '../../../src/domain/shard-checkpoint.ts';
import { epochMs } from '../../../src/domain/units.ts';

const READER_GROUP_PREFIX = 'tickflow-shard-checkpoints-';

describe('the shared shard checkpoints on a real Kafka', () => {
  it('reads back the newest record of a shard, and deletes its own reader group when closed', async () => {
    const broker = inject('kafkaBroker');
    const topic = `shards-${randomUUID().slice(0, 8)}`;
    const admin = new Kafka({
      clientId: 'shard-checkpoints-test',
      brokers: [broker],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    // Reader groups with offsets on this test's own topic: other files on this broker run clusters
    // (and reader groups) of their own at the same time.
    const readerGroups = async (): Promise<string[]> => {
      const named = (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((id) => id.startsWith(READER_GROUP_PREFIX));
      const onTopic = await Promise.all(
        named.map(async (groupId) => {
          const offsets = await admin.fetchOffsets({ groupId, topics: [topic] }).catch(() => []);
          return offsets.some((t) => t.partitions.some((p) => p.offset !== '-1')) ? groupId : undefined;
        }),
      );
      return onTopic.filter((id): id is string => id !== undefined);
    };
    let store: KafkajsShardCheckpoints | undefined;
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      const before = new Set(await readerGroups());
      // Made after that snapshot: the store starts its reader (and its group) at once.
      store = new KafkajsShardCheckpoints(
        { group: `g-${topic}`, topic, shards: 3, sessionTimeoutMs: 6000 },
        kafkaSinkSettingsFromEnv({ KAFKA_BROKER: broker }),
        new MemoryLogger('info'),
        { newestTimeoutMs: 10_000 },
      );
      const older: ShardCheckpoint = {
        shard: 1,
        owner: 'host-a:1',
        writtenAt: epochMs(1_705_560_000_000),
        lastAccepted: new Map([[instrumentToken('2885'), epochMs(1_705_559_999_000)]]),
      };
      const newer: ShardCheckpoint = { ...older, writtenAt: epochMs(1_705_560_001_000) };
      await store.write([older]);
      await store.write([newer]);
      const found = await store.newest([1, 2]);
      expect(found.get(1)).toEqual(newer);
      expect(found.has(2)).toBe(false);
      const ours = (await readerGroups()).filter((id) => !before.has(id));
      expect(ours).toHaveLength(1);
      await store.close();
      expect(await readerGroups()).not.toContain(ours[0]);
    } finally {
      await store?.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
