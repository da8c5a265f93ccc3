import {
  compatibilityPartitioner,
  Producer,
  stringSerializers,
  type BaseOptions,
  type MessageToProduce,
} from '@platformatic/kafka';
import type { Logger } from '../../ports/logger/logger.ts';
import type { BatchSender } from '../kafka/kafka-tick-sink.ts';
import type { TickMessage } from '../kafka/tick-message.ts';

type TickProducer = Producer<string, string, string, string>;
type Outgoing = MessageToProduce<string, string, string, string>;

/** The message's string headers (the wire headers of every tick are strings: tick-message.ts). */
const headersOf = (m: TickMessage): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const key in m.headers) {
    const value = m.headers[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
};

/**
 * One idempotent @platformatic/kafka producer, used for one send at a time: the `BatchSender` the
 * shared Kafka tick sink drives, so the journal, ordering and spill rules are the kafkajs sink's.
 * Idempotence makes the client use acks=all and one request in flight. The partitioner is the
 * Java-compatible murmur2 (`& 0x7fffffff`), so a token lands on the partition kafkajs and other
 * Kafka clients choose: switching KAFKA_CLIENT keeps each token's order in one partition. After a
 * failed send the producer is dropped and the next send starts a fresh one (a new producer id), as
 * the kafkajs sender does, so a batch the broker did write cannot block the next as out of sequence.
 */
export class PlatformaticBatchSender implements BatchSender {
  private readonly options: BaseOptions;
  private readonly topic: string;
  private readonly logger: Logger;
  private producer: TickProducer | undefined;
  private connected = 0;
  private closed = false;

  constructor(options: BaseOptions, topic: string, logger: Logger) {
    this.options = options;
    this.topic = topic;
    this.logger = logger;
  }

  /** Connects a producer now and obtains its producer id (start uses it to fail early). */
  async connect(): Promise<void> {
    await this.ensureProducer();
  }

  async send(messages: TickMessage[]): Promise<void> {
    const producer = await this.ensureProducer();
    const outgoing: Outgoing[] = messages.map((m) => ({
      topic: this.topic,
      key: m.key,
      value: m.value,
      headers: headersOf(m),
    }));
    try {
      await producer.send({ messages: outgoing });
    } catch (e) {
      this.discard(producer);
      throw e;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close(true);
  }

  private async ensureProducer(): Promise<TickProducer> {
    if (this.producer !== undefined) return this.producer;
    this.refuseIfClosed();
    const producer: TickProducer = new Producer({
      ...this.options,
      idempotent: true,
      acks: -1,
      autocreateTopics: false,
      partitioner: compatibilityPartitioner,
      serializers: stringSerializers,
    });
    try {
      await producer.initIdempotentProducer({});
      // Closed while connecting: this producer must not outlive the sender.
      this.refuseIfClosed();
    } catch (e) {
      this.discard(producer);
      throw e;
    }
    this.producer = producer;
    this.connected += 1;
    if (this.connected === 1) this.logger.info('Kafka Producer Ready');
    else
      this.logger.info('Kafka producer reconnected', { connections: this.connected, client: 'platformatic' });
    return producer;
  }

  private refuseIfClosed(): void {
    if (this.closed) throw new Error('Kafka sender closed');
  }

  private discard(producer: TickProducer): void {
    if (this.producer === producer) this.producer = undefined;
    producer.close(true).catch(() => undefined);
  }
}
