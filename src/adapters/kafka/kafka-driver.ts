import type { KafkaErrorFacts } from './kafka-start-error.ts';
import type { KafkaRecord } from './kafka-record.ts';

/** One idempotent producer for one topic, as a client library makes it. */
export interface DriverProducer {
  /** Connects and obtains a producer id; a failed connect leaves nothing open. */
  connect(): Promise<void>;
  /** Resolves once every in-sync replica holds every record (acks=all, one request in flight). */
  send(records: KafkaRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
}

/** What the topic checks need of a partition: its replicas (verify-topic-shape.ts). */
export interface PartitionShape {
  readonly replicas: readonly unknown[];
}

/** One admin session, opened by `connect` and ended by `close`. */
export interface DriverTopicAdmin {
  connect(): Promise<void>;
  listTopics(): Promise<readonly string[]>;
  /** Creates the topic and waits for its leaders; false when it existed already. */
  createTopic(spec: TopicSpec): Promise<boolean>;
  /** The topic's partitions once every one has a leader; none when the cluster does not know it. */
  partitions(topic: string): Promise<readonly PartitionShape[]>;
  close(): Promise<void>;
}

/**
 * What the client-neutral Kafka code (tick sink, record publishers, topic checks, start rules)
 * needs of a client library: producers, admin sessions, and the client's errors read in its own
 * words. One driver per library: kafkajs/ and platformatic/.
 */
export interface KafkaDriver extends ClientErrors {
  /** Fields this client adds to the sink's log lines (the @platformatic/kafka sink names itself). */
  readonly logFields: Readonly<Record<string, string>>;
  producer(topic: string): DriverProducer;
  admin(): DriverTopicAdmin;
}

/** A client's errors, read in its own words. */
export interface ClientErrors {
  /** Names, codes and message of an error, through its causes. */
  errorFacts(error: unknown): KafkaErrorFacts;
  /** The broker refused the SASL credentials. */
  credentialsRefused(facts: KafkaErrorFacts): boolean;
  /** A topic that could not be described may be known a moment later (a new topic spreading). */
  describeMayRetry(facts: KafkaErrorFacts): boolean;
}
