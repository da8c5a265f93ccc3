import {
  compatibilityPartitioner,
  Producer,
  stringSerializers,
  type BaseOptions,
  type MessageToProduce,
} from '@platformatic/kafka';
import type { DriverProducer } from '../kafka-driver.ts';
import type { KafkaRecord } from '../kafka-record.ts';

type StringProducer = Producer<string, string, string, string>;
type Outgoing = MessageToProduce<string, string, string, string>;

/**
 * An idempotent @platformatic/kafka producer for one topic. Idempotence makes the client use
 * acks=all and one request in flight. The partitioner is the Java-compatible murmur2
 * (`& 0x7fffffff`), so a key lands on the partition kafkajs and other Kafka clients choose:
 * switching KAFKA_CLIENT keeps each token's order in one partition.
 */
export class PlatformaticProducer implements DriverProducer {
  private readonly producer: StringProducer;
  private readonly topic: string;

  constructor(options: BaseOptions, topic: string) {
    this.topic = topic;
    this.producer = new Producer({
      ...options,
      idempotent: true,
      acks: -1,
      autocreateTopics: false,
      partitioner: compatibilityPartitioner,
      serializers: stringSerializers,
    });
  }

  /** Obtains the producer id now (start uses it to fail early). */
  async connect(): Promise<void> {
    await this.producer.initIdempotentProducer({});
  }

  async send(records: KafkaRecord[]): Promise<void> {
    const topic = this.topic;
    const messages: Outgoing[] = records.map(({ key, value, headers }) =>
      headers === undefined ? { topic, key, value } : { topic, key, value, headers },
    );
    await this.producer.send({ messages });
  }

  close(): Promise<void> {
    return this.producer.close(true);
  }
}
