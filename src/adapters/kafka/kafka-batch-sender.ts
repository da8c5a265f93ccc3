import type { Logger } from '../../ports/logger/logger.ts';
import type { MessageSender } from './connect-on-first-use.ts';
import type { DriverProducer, KafkaDriver } from './kafka-driver.ts';
import type { KafkaRecord } from './kafka-record.ts';

/**
 * One idempotent producer of the driver's client, used for one send at a time (acks=all, one
 * request in flight, so a partition keeps its order through the client's own retries). After a
 * failed send the producer is dropped and the next send starts a fresh one (a new producer id):
 * the client rolls its sequence numbers back on failure, and a broker that did write the batch
 * would otherwise refuse the next one as out of sequence, forever.
 */
export class KafkaBatchSender implements MessageSender<KafkaRecord> {
  private readonly driver: KafkaDriver;
  private readonly topic: string;
  private readonly logger: Logger;
  private producer: DriverProducer | undefined;
  private connected = 0;
  private closed = false;

  constructor(driver: KafkaDriver, topic: string, logger: Logger) {
    this.driver = driver;
    this.topic = topic;
    this.logger = logger;
  }

  /** Connects a producer now (start uses it to fail early); `send` connects by itself as needed. */
  async connect(): Promise<void> {
    await this.ensureProducer();
  }

  async send(records: KafkaRecord[]): Promise<void> {
    const producer = await this.ensureProducer();
    try {
      await producer.send(records);
    } catch (e) {
      this.discard(producer);
      throw e;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close();
  }

  private async ensureProducer(): Promise<DriverProducer> {
    if (this.producer !== undefined) return this.producer;
    this.refuseIfClosed();
    const producer = this.driver.producer(this.topic);
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
    else
      this.logger.info('Kafka producer reconnected', {
        connections: this.connected,
        ...this.driver.logFields,
      });
    return producer;
  }

  private refuseIfClosed(): void {
    if (this.closed) throw new Error('Kafka sender closed');
  }

  private discard(producer: DriverProducer): void {
    if (this.producer === producer) this.producer = undefined;
    producer.close().catch(() => undefined);
  }
}
