import { randomUUID } from 'node:crypto';
// kafkajs is CommonJS: Node's ESM import finds Kafka by name, but ConfigResourceTypes only on the default.
import kafkajs, { Kafka, type Admin, type Consumer, type Producer } from 'kafkajs';
import type { Shard } from '../../domain/shard.ts';
import type { ShardCheckpoint } from '../../domain/shard-checkpoint.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { ShardCheckpointStore } from '../../ports/shard-checkpoint-store.ts';
import { decodeShardCheckpoint, encodeShardCheckpoint } from '../../ports/shard-checkpoint-record.ts';
import { CLIENT_RETRY, kafkaClientConfig } from '../kafka/kafkajs/kafka-client-config.ts';
import type { KafkaSinkSettings } from '../kafka/kafka-settings.ts';
import type { ClusterSettings } from './cluster-settings.ts';

/** Between tries to reach the cluster topic at start (the membership may not have created it yet). */
const RETRY_MS = 1000;
/**
 * How long a read waits for the reader to start (its group of one joins like any group: the
 * broker's initial rebalance delay, 3 s by default). Only a member's first assignment waits for it,
 * a start and not a failover; the reader is up long before a member dies.
 */
const READER_START_MS = 15_000;
/** How long a reader fetch waits for new records: `newest` waits at most about this for the last ones. */
const READER_MAX_WAIT_MS = 200;
/** Compacted by key (`shard-<i>`, one per partition), rolled hourly: the newest record per shard stays, the rest goes. */
const TOPIC_CONFIG = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'segment.ms', value: String(60 * 60 * 1000) },
] as const;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
/** Never keeps the process alive: a stop does not wait for a read's deadline. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
const failAfter = (ms: number, message: string): Promise<never> => {
  const failed = sleep(ms).then(() => {
    throw new Error(message);
  });
  failed.catch(() => undefined);
  return failed;
};

interface ReaderParts {
  readonly admin: Admin;
  readonly producer: Producer;
  readonly consumer: Consumer;
  /** The reader's group of its own, deleted at close: starts must not pile up groups on the broker. */
  readonly groupId: string;
}

/** Deletes the reader's group; one left behind (a crash) goes with Kafka's offsets retention. */
const dropGroup = async (admin: Admin, groupId: string): Promise<void> => {
  await admin.deleteGroups([groupId]).catch(() => undefined);
};

/**
 * The shared checkpoint on the cluster topic, with kafkajs: a producer appends each shard's record
 * to its partition, and a reader keeps the newest record of every partition in memory. The reader
 * is a consumer in a group of its own (no other member, nothing committed after the start) whose
 * offsets are set, before it joins, to each partition's last record: it reads a dozen records at
 * start, then whatever the owners write (about one a second per shard). The membership consumer
 * cannot do this: it sees only the shards it owns, and a gained shard's history only after a seek.
 */
export class KafkajsShardCheckpoints implements ShardCheckpointStore {
  private readonly settings: ClusterSettings;
  private readonly logger: Logger;
  private readonly newestTimeoutMs: number;
  private readonly ready: Promise<ReaderParts>;
  /** Per partition: the offset after the last record read. */
  private readonly positions = new Map<number, bigint>();
  private readonly latest = new Map<Shard, ShardCheckpoint>();
  private closed = false;

  constructor(
    settings: ClusterSettings,
    kafka: KafkaSinkSettings,
    logger: Logger,
    options: { readonly newestTimeoutMs: number },
  ) {
    this.settings = settings;
    this.logger = logger;
    this.newestTimeoutMs = options.newestTimeoutMs;
    this.ready = this.start(kafka);
    this.ready.catch(() => undefined);
  }

  async write(checkpoints: readonly ShardCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) return;
    const { producer } = await this.ready;
    await producer.send({
      topic: this.settings.topic,
      messages: checkpoints.map((c) => ({ partition: c.shard, ...encodeShardCheckpoint(c) })),
    });
  }

  async newest(shards: readonly Shard[]): Promise<ReadonlyMap<Shard, ShardCheckpoint>> {
    const { admin } = await Promise.race([
      this.ready,
      failAfter(READER_START_MS, `the cluster topic's reader did not start within ${READER_START_MS} ms`),
    ]);
    const deadline = Date.now() + this.newestTimeoutMs;
    const late = `the cluster topic's checkpoints were not read within ${this.newestTimeoutMs} ms`;
    const timeout = failAfter(this.newestTimeoutMs, late);
    const wanted = new Set(shards);
    const ends = (await Promise.race([admin.fetchTopicOffsets(this.settings.topic), timeout])).filter((o) =>
      wanted.has(o.partition),
    );
    // Every record written before the call must be read: each partition's position reaches its end.
    while (!ends.every((o) => (this.positions.get(o.partition) ?? -1n) >= BigInt(o.high))) {
      if (Date.now() > deadline || this.closed) throw new Error(this.closed ? 'closed' : late);
      await sleep(20);
    }
    const found = new Map<Shard, ShardCheckpoint>();
    for (const shard of shards) {
      const checkpoint = this.latest.get(shard);
      if (checkpoint !== undefined) found.set(shard, checkpoint);
    }
    return found;
  }

  async close(): Promise<void> {
    this.closed = true;
    const parts = await this.ready.catch(() => undefined);
    if (parts === undefined) return;
    await parts.consumer.disconnect().catch(() => undefined);
    await parts.producer.disconnect().catch(() => undefined);
    await dropGroup(parts.admin, parts.groupId);
    await parts.admin.disconnect().catch(() => undefined);
  }

  /** Tries until the topic is there and the reader runs, or the store is closed. */
  private async start(kafka: KafkaSinkSettings): Promise<ReaderParts> {
    const client = new Kafka(await kafkaClientConfig(kafka, this.logger));
    for (let attempt = 0; ; attempt += 1) {
      if (this.closed) throw new Error('closed');
      const admin = client.admin({ retry: CLIENT_RETRY });
      const producer = client.producer({ allowAutoTopicCreation: false, retry: CLIENT_RETRY });
      const groupId = `tickflow-shard-checkpoints-${randomUUID()}`;
      const consumer = client.consumer({
        groupId,
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: READER_MAX_WAIT_MS,
      });
      try {
        await admin.connect();
        await this.reader(admin, consumer, groupId);
        await producer.connect();
        await this.compact(admin);
        return { admin, producer, consumer, groupId };
      } catch (e) {
        await consumer.disconnect().catch(() => undefined);
        await producer.disconnect().catch(() => undefined);
        await dropGroup(admin, groupId);
        await admin.disconnect().catch(() => undefined);
        if (attempt > 0)
          this.logger.warn('Cannot read the cluster checkpoints yet; trying again', {
            topic: this.settings.topic,
            error: errorText(e),
            retryInMs: RETRY_MS,
          });
        await sleep(RETRY_MS);
      }
    }
  }

  private async reader(admin: Admin, consumer: Consumer, groupId: string): Promise<void> {
    const { topic, shards } = this.settings;
    const offsets = await admin.fetchTopicOffsets(topic);
    if (offsets.length !== shards)
      throw new Error(`topic ${topic} has ${offsets.length} partitions, not ${shards}`);
    const starts = offsets.map((o) => {
      const high = BigInt(o.high);
      return { partition: o.partition, offset: high > BigInt(o.low) ? high - 1n : high };
    });
    await admin.setOffsets({
      groupId,
      topic,
      partitions: starts.map((s) => ({ partition: s.partition, offset: s.offset.toString() })),
    });
    for (const s of starts) this.positions.set(s.partition, s.offset);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        this.positions.set(partition, BigInt(message.offset) + 1n);
        if (message.value === null) return Promise.resolve();
        const checkpoint = decodeShardCheckpoint(message.value.toString('utf8'));
        if ('invalid' in checkpoint || checkpoint.shard !== partition)
          this.logger.warn('Skipped a record of the cluster topic that is not a shard checkpoint', {
            at: `${topic}[${partition}]@${message.offset}`,
            reason:
              'invalid' in checkpoint
                ? checkpoint.invalid
                : `shard ${checkpoint.shard} in partition ${partition}`,
          });
        else this.latest.set(partition, checkpoint);
        return Promise.resolve();
      },
    });
  }

  /** Only the newest record per shard is ever read: let Kafka drop the rest. Not fatal: it only costs disk. */
  private async compact(admin: Admin): Promise<void> {
    await admin
      .alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: kafkajs.ConfigResourceTypes.TOPIC,
            name: this.settings.topic,
            configEntries: [...TOPIC_CONFIG],
          },
        ],
      })
      .catch((e: unknown) => {
        this.logger.warn(
          'Could not make the cluster topic compacted; its old checkpoints stay until retention',
          {
            topic: this.settings.topic,
            error: errorText(e),
          },
        );
      });
  }
}
