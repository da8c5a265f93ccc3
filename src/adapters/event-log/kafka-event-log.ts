import { either as E } from 'fp-ts';
import kafkajs, { type Admin, type Kafka, type Producer } from 'kafkajs';

// kafkajs is CommonJS and Node's ESM loader cannot see this export by name (vitest can): take it
// from the default export.
const { ConfigResourceTypes } = kafkajs;
import type { EventLog, ExpectedVersion, StoredEvent } from '../../ports/event-log/event-log.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import {
  eventCodec,
  encodeEvents,
  type EventCodec,
  type EventCodecInput,
} from '../../ports/event-log/event-codec.ts';
import { EventLogClosed, EventLogCorrupted } from '../../ports/event-log/event-log-errors.ts';
import { KeyedSerialQueue } from './keyed-serial-queue.ts';
import { readEventTopic, type TopicRecord } from './kafka-topic-reader.ts';
import {
  checkExpected,
  checkFromVersion,
  checkStreamName,
  versionConflict,
} from '../../ports/event-log/stream-rules.ts';

export interface KafkaEventLogOptions<E> {
  /** A client built with the service's Kafka settings (brokers, SASL, TLS). */
  readonly kafka: Kafka;
  /** `EVENT_LOG_TOPIC`; created at first use when missing, with one partition and no retention limit. */
  readonly topic: string;
  readonly codec: EventCodecInput<E>;
  readonly logger: Logger;
  readonly replicationFactor?: number;
  /** How long reading the topic at start may take. */
  readonly readTimeoutMs?: number;
}

/**
 * Event streams in one Kafka topic: key = stream, value = `{"v":<version>,"e":<event>}`. The
 * first use reads the whole topic into memory (fine for plan streams, which are small and few);
 * later reads are served from memory and appends go to Kafka (acks from all in-sync replicas,
 * idempotent producer) before memory.
 *
 * SINGLE WRITER: Kafka has no conditional append, so the expected-version check is made here, in
 * process, against what this instance has read and written. Two processes appending to the same
 * STREAM would both pass it, and the topic would hold two events of one version (reported corrupt
 * on the next read). Run one writer per stream at a time; the file log has the same rule per
 * folder. Cluster members share one topic this way: a plan stream is written only by the owner of
 * its shard (the group's assignment is the fence), and a member taking a shard over calls `refresh`
 * first, to see what the previous owner appended.
 * An append whose outcome is unknown (the send failed) drops the in-memory copy, so the next use
 * reads the topic again rather than trust a guess. The topic must not be compacted or expire.
 */
export class KafkaEventLog<E> implements EventLog<E> {
  private readonly options: KafkaEventLogOptions<E>;
  private readonly codec: EventCodec<E>;
  private readonly logger: Logger;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly queue = new KeyedSerialQueue();
  private connected: Promise<void> | undefined;
  private streams: Promise<Map<string, TopicRecord[]>> | undefined;
  private closed = false;

  constructor(options: KafkaEventLogOptions<E>) {
    this.options = options;
    this.codec = eventCodec(options.codec);
    this.logger = options.logger.child({ component: 'kafka-event-log', topic: options.topic });
    this.admin = options.kafka.admin();
    this.producer = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async append(
    stream: string,
    events: readonly E[],
    expected: ExpectedVersion,
  ): Promise<{ readonly version: number }> {
    if (this.closed) throw new EventLogClosed();
    checkStreamName(stream);
    checkExpected(expected);
    const json = encodeEvents(this.codec, stream, events);
    return await this.queue.run(stream, async () => {
      const streams = await this.load();
      const stored = streams.get(stream) ?? [];
      const conflict = versionConflict(stream, expected, stored.length);
      if (conflict !== undefined) throw conflict;
      if (json.length === 0) return { version: stored.length };
      const values = json.map((e, i) => `{"v":${stored.length + 1 + i},"e":${e}}`);
      try {
        // One send to one partition: the broker appends the batch whole or not at all.
        const [meta] = await this.producer.send({
          topic: this.options.topic,
          acks: -1,
          messages: values.map((value) => ({ key: stream, value })),
        });
        const base = BigInt(meta?.baseOffset ?? '0');
        const partition = meta?.partition ?? 0;
        const added = values.map((_, i) => ({
          version: stored.length + 1 + i,
          event: JSON.parse(json[i] ?? 'null') as unknown,
          at: `${this.options.topic}[${partition}]@${base + BigInt(i)}`,
        }));
        streams.set(stream, [...stored, ...added]);
      } catch (e) {
        this.streams = undefined;
        throw e;
      }
      return { version: stored.length + json.length };
    });
  }

  async read(stream: string, fromVersion = 1): Promise<readonly StoredEvent<E>[]> {
    if (this.closed) throw new EventLogClosed();
    checkStreamName(stream);
    checkFromVersion(fromVersion);
    return await this.queue.run(stream, async () => {
      const stored = (await this.load()).get(stream) ?? [];
      return stored.slice(fromVersion - 1).map((r) => {
        const event = this.codec.decode(r.event);
        if (E.isLeft(event)) throw new EventLogCorrupted(r.at, 1, `not an event: ${event.left}`);
        return { stream, version: r.version, event: event.right };
      });
    });
  }

  /**
   * Reads the topic again and takes every stream others made longer than the copy in memory. A
   * stream this instance wrote keeps its copy (its appends after the read began are not in the
   * read); under one writer per stream, the longer copy is the newer one.
   */
  async refresh(): Promise<void> {
    if (this.closed) throw new EventLogClosed();
    const held = await this.streams?.catch(() => undefined);
    // Not read yet (or the read failed): the next use reads the whole topic anyway.
    if (held === undefined) return;
    await this.connect();
    const fresh = await readEventTopic(
      this.options.kafka,
      this.admin,
      this.options.topic,
      this.options.readTimeoutMs ?? 60_000,
    );
    for (const [stream, records] of fresh)
      if (records.length > (held.get(stream)?.length ?? 0)) held.set(stream, records);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.idle();
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  private load(): Promise<Map<string, TopicRecord[]>> {
    this.streams ??= this.connect()
      .then(() =>
        readEventTopic(
          this.options.kafka,
          this.admin,
          this.options.topic,
          this.options.readTimeoutMs ?? 60_000,
        ),
      )
      .catch((e: unknown) => {
        this.streams = undefined;
        throw e;
      });
    return this.streams;
  }

  private connect(): Promise<void> {
    this.connected ??= (async () => {
      await Promise.all([this.admin.connect(), this.producer.connect()]);
      await this.ensureTopic();
    })().catch((e: unknown) => {
      this.connected = undefined;
      throw e;
    });
    return this.connected;
  }

  private async ensureTopic(): Promise<void> {
    const { topic } = this.options;
    const created = await this.admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor: this.options.replicationFactor ?? 1,
          // Events are the plan's only record: they must never expire or be compacted away.
          configEntries: [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'retention.ms', value: '-1' },
            { name: 'retention.bytes', value: '-1' },
          ],
        },
      ],
    });
    if (created) {
      this.logger.info('Created the event log topic', { topic });
      return;
    }
    const described = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy', 'retention.ms'] },
      ],
    });
    const entries = described.resources[0]?.configEntries ?? [];
    const value = (name: string): string | undefined =>
      entries.find((c) => c.configName === name)?.configValue;
    if (value('cleanup.policy') !== 'delete' || value('retention.ms') !== '-1')
      this.logger.warn('Event log topic may lose events: set cleanup.policy=delete and retention.ms=-1', {
        topic,
        cleanupPolicy: value('cleanup.policy') ?? null,
        retentionMs: value('retention.ms') ?? null,
      });
  }
}
