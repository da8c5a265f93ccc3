import { Kafka, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from '../../../ports/logger/logger.ts';
import type { DriverProducer, KafkaDriver } from '../kafka-driver.ts';
import type { KafkaRecord } from '../kafka-record.ts';
import type { KafkaSinkSettings } from '../kafka-settings.ts';
import { CLIENT_RETRY, kafkaClientConfig } from './kafka-client-config.ts';
import { KAFKAJS_ERRORS } from './kafkajs-errors.ts';
import { KafkajsTopicAdmin } from './kafkajs-topic-admin.ts';

/** An idempotent kafkajs producer for one topic: acks=-1 and one request in flight. */
class KafkajsProducer implements DriverProducer {
  private readonly producer: Producer;
  private readonly topic: string;

  constructor(kafka: Kafka, topic: string) {
    this.topic = topic;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Java-compatible murmur2 on the key: a token's partition matches other Kafka clients'.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: CLIENT_RETRY,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async send(records: KafkaRecord[]): Promise<void> {
    await this.producer.send({ topic: this.topic, acks: -1, messages: records });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** kafkajs is the default client: its log lines name no client. */
export const KAFKAJS_LOG_FIELDS: Readonly<Record<string, string>> = {};

/** The kafkajs driver on one kafkajs client (its brokers, security and log bridge). */
export const kafkajsDriver = (kafka: Kafka): KafkaDriver => ({
  ...KAFKAJS_ERRORS,
  logFields: KAFKAJS_LOG_FIELDS,
  producer: (topic) => new KafkajsProducer(kafka, topic),
  admin: () => new KafkajsTopicAdmin(kafka),
});

/** The kafkajs driver for these settings (reads the TLS files, naming any it cannot). */
export const openKafkajsDriver = async (settings: KafkaSinkSettings, logger: Logger): Promise<KafkaDriver> =>
  kafkajsDriver(new Kafka(await kafkaClientConfig(settings, logger)));
