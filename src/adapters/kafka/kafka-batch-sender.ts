import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Logger } from '../../ports/logger/logger.ts';
import { CLIENT_RETRY } from './kafka-client-config.ts';

/**
 * One idempotent kafkajs producer, used for one send at a time. `acks: -1` waits for every in-sync
 * replica; idempotence with one request in flight keeps a partition's order through kafkajs's own
 * retries. After a failed send the producer is dropped and the next send starts a fresh one (a new
 * producer id): kafkajs rolls its sequence numbers back on failure, and a broker that did write the
 * batch would otherwise refuse the next one as out of sequence, forever.
 */
export class KafkaBatchSender {
  private readonly kafka: Kafka;
  private readonly topic: string;
  private readonly logger: Logger;
  private producer: Producer | undefined;
  private connected = 0;
  private closed = false;

  constructor(kafka: Kafka, topic: string, logger: Logger) {
    this.kafka = kafka;
    this.topic = topic;
    this.logger = logger;
  }

  /** Connects a producer now (start uses it to fail early); `send` connects by itself as needed. */
  async connect(): Promise<void> {
    await this.ensureProducer();
  }

  async send(messages: Message[]): Promise<void> {
    const producer = await this.ensureProducer();
    try {
      await producer.send({ topic: this.topic, acks: -1, messages });
    } catch (e) {
      this.discard(producer);
      throw e;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }

  private async ensureProducer(): Promise<Producer> {
    if (this.producer !== undefined) return this.producer;
    this.refuseIfClosed();
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Java-compatible murmur2 on the key: a token's partition matches other Kafka clients'.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: CLIENT_RETRY,
    });
    try {
      await producer.connect();
      // Closed while connecting: this producer must not outlive the sender.
      this.refuseIfClosed();
    } catch (e) {
      this.discard(producer);
      throw e;
    }
    this.producer = producer;
    this.connected += 1;
    if (this.connected === 1) this.logger.info('Kafka Producer Ready');
    else this.logger.info('Kafka producer reconnected', { connections: this.connected });
    return producer;
  }

  private refuseIfClosed(): void {
    if (this.closed) throw new Error('Kafka sender closed');
  }

  private discard(producer: Producer): void {
    if (this.producer === producer) this.producer = undefined;
    producer.disconnect().catch(() => undefined);
  }
}
