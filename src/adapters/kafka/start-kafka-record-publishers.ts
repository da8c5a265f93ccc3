import { Kafka } from 'kafkajs';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { KafkaBatchSender } from './kafka-batch-sender.ts';
import { CLIENT_RETRY, kafkaClientConfig } from './kafka-client-config.ts';
import { DEFAULT_RECORD_PUBLISHER, KafkaRecordPublisher } from './kafka-record-publisher.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import { ensureTickTopic } from './kafka-topic-admin.ts';

/**
 * One publisher per control topic, on the tick sink's cluster and security settings. Each topic is
 * created like the tick topic when missing (same partitions and replication, keyed by token).
 */
export const startKafkaRecordPublishers = async <T extends string>(
  settings: KafkaSinkSettings,
  topics: Readonly<Record<T, string>>,
  deps: { readonly logger: Logger; readonly metrics: Metrics },
): Promise<Record<T, KafkaRecordPublisher>> => {
  const logger = deps.logger.child({ component: 'control-topics' });
  const kafka = new Kafka(await kafkaClientConfig(settings, logger));
  const admin = kafka.admin({ retry: CLIENT_RETRY });
  const names = Object.keys(topics) as T[];
  try {
    await admin.connect();
    for (const name of names) await ensureTickTopic(admin, { ...settings, topic: topics[name] }, logger);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const out = {} as Record<T, KafkaRecordPublisher>;
  for (const name of names) {
    const topic = topics[name];
    const sender = new KafkaBatchSender(kafka, topic, logger.child({ topic }));
    await sender.connect();
    out[name] = new KafkaRecordPublisher(sender, { ...DEFAULT_RECORD_PUBLISHER, topic }, deps);
  }
  return out;
};
