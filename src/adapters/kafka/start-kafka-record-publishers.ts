import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { TickJournal } from '../tick-journal/tick-journal.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { KafkaBatchSender } from './kafka-batch-sender.ts';
import { CLIENT_RETRY, kafkaClientConfig } from './kafka-client-config.ts';
import { DEFAULT_RECORD_PUBLISHER, KafkaRecordPublisher } from './kafka-record-publisher.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import { ensureTickTopic } from './kafka-topic-admin.ts';

/** Control topics are small next to the ticks: a quarter GiB of backlog each is days of outage. */
const CONTROL_JOURNAL_MAX_BYTES = 256 * 1024 * 1024;

/**
 * One publisher per control topic, on the tick sink's cluster and security settings. Each topic is
 * created like the tick topic when missing (same partitions and replication, keyed by token).
 */
export const startKafkaRecordPublishers = async <T extends string>(
  settings: KafkaSinkSettings,
  topics: Readonly<Record<T, string>>,
  deps: { readonly logger: Logger; readonly metrics: Metrics },
  options: {
    /** A journal per topic in this folder: accepted records survive an outage, a close and a crash. */
    readonly journalDir?: string;
  } = {},
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
  const started: KafkaRecordPublisher[] = [];
  try {
    for (const name of names) {
      const topic = topics[name];
      const sender = new KafkaBatchSender(kafka, topic, logger.child({ topic }));
      await sender.connect();
      let journal: TickJournal | undefined;
      try {
        journal =
          options.journalDir === undefined
            ? undefined
            : await TickJournal.open({
                ...settings.journal,
                dir: join(options.journalDir, encodeURIComponent(topic)),
                maxBytes: Math.min(settings.journal.maxBytes, CONTROL_JOURNAL_MAX_BYTES),
              });
      } catch (e) {
        await sender.close().catch(() => undefined);
        throw e;
      }
      const publisher = new KafkaRecordPublisher(
        sender,
        { ...DEFAULT_RECORD_PUBLISHER, topic },
        deps,
        journal,
      );
      started.push(publisher);
      await publisher.resumeJournal();
      out[name] = publisher;
    }
  } catch (e) {
    // A start that fails half way leaves no producer connected and no journal open.
    await Promise.all(started.map((p) => p.close().catch(() => undefined)));
    throw e;
  }
  return out;
};
