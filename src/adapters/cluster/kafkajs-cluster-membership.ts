import { Kafka, type Consumer } from 'kafkajs';
import type { Shard } from '../../domain/shard.ts';
import type { ClusterMembership, OnAssignment } from '../../ports/cluster-membership.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { kafkaClientConfig } from '../kafka/kafkajs/kafka-client-config.ts';
import { KafkajsTopicAdmin } from '../kafka/kafkajs/kafkajs-topic-admin.ts';
import type { KafkaSinkSettings } from '../kafka/kafka-settings.ts';
import { ClusterRefused, type ClusterSettings } from './cluster-settings.ts';
import { ensureShardTopic } from './ensure-shard-topic.ts';
import { sessionTimeoutRefused } from './session-timeout-refused.ts';
import { stickyShardAssigner } from './sticky-shard-assigner.ts';

/**
 * Between tries to reach Kafka for the group (a start before the broker, a shard topic another
 * instance has just created and the broker does not serve yet, a consumer kafkajs gave up): short
 * at first, then every 5 s.
 */
const RETRY_MS = [250, 500, 1000, 2000, 5000] as const;
const retryDelay = (attempt: number): number => RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] ?? 5000;

/**
 * Group membership through Kafka's classic consumer group protocol, with kafkajs: a consumer in
 * group CLUSTER_GROUP subscribed to CLUSTER_TOPIC, whose partition i is shard i. Kafka's group
 * coordinator notices a member that stops heartbeating after the session timeout; the leader it
 * picks computes the assignment (stickyShardAssigner) and the coordinator hands it out. The
 * assignment is read from each GROUP_JOIN event. The records on the topic (the shared checkpoint,
 * kafkajs-shard-checkpoints.ts) are fetched by this consumer and ignored.
 *
 * Losing contact with Kafka does not drop the shards held: the instance keeps following them until
 * a new assignment says otherwise. The group may meanwhile give them to another member, and both
 * follow them for a while: a duplicate tick is detectable by its id, a lost one is not.
 */
export class KafkajsClusterMembership implements ClusterMembership {
  private readonly settings: ClusterSettings;
  private readonly kafka: KafkaSinkSettings;
  private readonly logger: Logger;
  private consumer: Consumer | undefined;
  private owned: readonly Shard[] = [];
  private member = false;
  private left = false;
  /** `join`'s answer: the first assignment, or a refusal (some reach us only through a crash). */
  private readonly joined = Promise.withResolvers<undefined>();
  private answered = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** Ends a wait between tries at once (on leave). */
  private wake: () => void = () => undefined;

  constructor(settings: ClusterSettings, kafka: KafkaSinkSettings, logger: Logger) {
    this.settings = settings;
    this.kafka = kafka;
    this.logger = logger;
    this.joined.promise.catch(() => undefined);
  }

  isMember(): boolean {
    return this.member;
  }

  async join(onAssignment: OnAssignment): Promise<void> {
    const client = new Kafka(await kafkaClientConfig(this.kafka, this.logger));
    void this.connect(client, onAssignment);
    return this.joined.promise;
  }

  async leave(): Promise<void> {
    this.left = true;
    this.answer(undefined);
    clearTimeout(this.retry);
    this.wake();
    this.member = false;
    // kafkajs sends LeaveGroup on disconnect: the others get the shards now, not after the timeout.
    await this.consumer?.disconnect();
  }

  /** A method, not the field: TypeScript would keep `this.left` narrowed across awaits. */
  private hasLeft(): boolean {
    return this.left;
  }

  /** Settles `join` once; a refusal after the first assignment is logged, the shards held are kept. */
  private answer(refused: ClusterRefused | undefined): void {
    if (this.answered) {
      if (refused !== undefined)
        this.logger.error('The cluster group refuses this member; keeping the shards held', {
          error: refused.message,
        });
      return;
    }
    this.answered = true;
    if (refused === undefined) this.joined.resolve(undefined);
    else this.joined.reject(refused);
  }

  /** Tries until a consumer runs in the group, the instance leaves, or the group is refused for good. */
  private async connect(client: Kafka, onAssignment: OnAssignment): Promise<void> {
    for (let attempt = 0; !this.hasLeft(); attempt += 1) {
      try {
        await this.start(client, onAssignment);
        // Left while joining: the consumer started after `leave` looked for it.
        if (this.hasLeft()) await this.consumer?.disconnect().catch(() => undefined);
        return;
      } catch (e) {
        if (e instanceof ClusterRefused) {
          this.answer(e);
          return;
        }
        if (this.hasLeft()) return;
        const delay = retryDelay(attempt);
        // A first miss is usually the topic spreading; only a lasting one is worth a line.
        if (delay >= 1000)
          this.logger.warn('Cannot join the cluster yet; trying again', {
            group: this.settings.group,
            error: e instanceof Error ? e.message : String(e),
            retryInMs: delay,
          });
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.retry = setTimeout(resolve, delay);
        });
      }
    }
  }

  private async start(client: Kafka, onAssignment: OnAssignment): Promise<void> {
    const admin = new KafkajsTopicAdmin(client);
    try {
      await admin.connect();
      await ensureShardTopic({ admin, logger: this.logger }, this.settings, this.kafka.replicationFactor);
    } finally {
      await admin.close().catch(() => undefined);
    }
    const { group, topic, sessionTimeoutMs } = this.settings;
    const heartbeatMs = Math.floor(sessionTimeoutMs / 3);
    const consumer = client.consumer({
      groupId: group,
      sessionTimeout: sessionTimeoutMs,
      // Members of a rebalance that do not rejoin within this are dropped: a dead one costs no more.
      rebalanceTimeout: sessionTimeoutMs,
      heartbeatInterval: heartbeatMs,
      // kafkajs heartbeats between fetches, and the topic is empty: a fetch must not wait longer.
      maxWaitTimeInMs: Math.min(1000, heartbeatMs),
      allowAutoTopicCreation: false,
      partitionAssigners: [stickyShardAssigner({ topic, shards: this.settings.shards }, () => this.owned)],
      retry: {
        retries: 5,
        initialRetryTime: 300,
        maxRetryTime: 3000,
        restartOnFailure: () => Promise.resolve(true),
      },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      if (this.left) return;
      // The assignment comes from the group's leader, another instance (maybe another version):
      // only shards this cluster has are taken.
      const shards = [...(event.payload.memberAssignment[topic] ?? [])]
        .filter((s) => Number.isSafeInteger(s) && s >= 0 && s < this.settings.shards)
        .sort((a, b) => a - b);
      this.owned = shards;
      this.member = true;
      void Promise.resolve(onAssignment(shards))
        .catch((e: unknown) => {
          this.logger.error('Could not apply a cluster assignment', {
            error: e instanceof Error ? e.message : String(e),
          });
        })
        .then(() => this.answer(undefined));
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.member = false;
      const refused = sessionTimeoutRefused(event.payload.error, sessionTimeoutMs);
      if (refused !== undefined) {
        this.answer(refused);
        return;
      }
      this.logger.warn('Lost the cluster group; keeping the shards held until the next assignment', {
        group,
        error: event.payload.error.message,
        rejoining: event.payload.restart,
      });
      // kafkajs restarts only after errors it deems retriable; after any other, start afresh.
      if (!event.payload.restart && !this.left) this.rejoinLater(client, consumer, onAssignment);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: false });
      await consumer.run({ autoCommit: false, eachMessage: () => Promise.resolve() });
    } catch (e) {
      // The next try makes its own consumer: this one must not linger in the group.
      await consumer.disconnect().catch(() => undefined);
      throw e;
    }
  }

  private rejoinLater(client: Kafka, crashed: Consumer, onAssignment: OnAssignment): void {
    this.retry = setTimeout(() => {
      if (this.hasLeft() || this.consumer !== crashed) return;
      void crashed
        .disconnect()
        .catch(() => undefined)
        .then(() => this.connect(client, onAssignment));
    }, retryDelay(Infinity));
  }
}
