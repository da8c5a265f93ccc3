import { join } from 'node:path';
import { TickJournal } from '../tick-journal/tick-journal.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { ConnectOnFirstUse, type MessageSender } from './connect-on-first-use.ts';
import { FirstContact } from './first-contact.ts';
import { KafkaBatchSender } from './kafka-batch-sender.ts';
import { KafkaLink } from './kafka-link.ts';
import type { KafkaRecord } from './kafka-record.ts';
import { DEFAULT_RECORD_PUBLISHER, KafkaRecordPublisher } from './kafka-record-publisher.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import { driverStartFailure, type KafkaSinkStartError } from './kafka-start-error.ts';
import { ensureTickTopic, withTopicAdmin } from './kafka-topic-admin.ts';
import { openKafkajsDriver } from './kafkajs/kafkajs-driver.ts';
import { retryUntilDeadline } from './retry-until-deadline.ts';

/** Control topics are small next to the ticks: a quarter GiB of backlog each is days of outage. */
const CONTROL_JOURNAL_MAX_BYTES = 256 * 1024 * 1024;

export interface RecordPublishersOptions {
  /** A journal per topic in this folder: accepted records survive an outage, a close and a crash. */
  readonly journalDir?: string;
  /**
   * Do not wait for Kafka (KAFKA_REQUIRED_AT_START=false, with journals): the topics are created
   * or checked when Kafka first answers, records wait in the journals meanwhile, and a refusal
   * found then (the same `KafkaSinkStartError` as a start's) is handed to `onFatal`.
   */
  readonly deferred?: {
    readonly clock: Clock;
    readonly onFatal: (error: KafkaSinkStartError) => void;
  };
}

/**
 * One publisher per control topic, on the tick sink's cluster and security settings. Each topic is
 * created like the tick topic when missing (same partitions and replication, keyed by token).
 */
export const startKafkaRecordPublishers = async <T extends string>(
  settings: KafkaSinkSettings,
  topics: Readonly<Record<T, string>>,
  deps: { readonly logger: Logger; readonly metrics: Metrics },
  options: RecordPublishersOptions = {},
): Promise<Record<T, KafkaRecordPublisher>> => {
  const logger = deps.logger.child({ component: 'control-topics' });
  // The control topics stay on kafkajs whatever KAFKA_CLIENT says (it picks the ticks' producer).
  const driver = await openKafkajsDriver(settings, logger);
  const startFailure = driverStartFailure(driver);
  const names = Object.keys(topics) as T[];
  const ensureTopics = (): Promise<void> =>
    withTopicAdmin(driver, async (admin) => {
      for (const name of names)
        await ensureTickTopic(admin, driver, { ...settings, topic: topics[name] }, logger);
    });
  const senders = new Map<T, KafkaBatchSender>(
    names.map((name) => [
      name,
      new KafkaBatchSender(driver, topics[name], logger.child({ topic: topics[name] })),
    ]),
  );
  const deferred = options.deferred;
  let wrap = (sender: KafkaBatchSender): MessageSender<KafkaRecord> => sender;
  let contact: FirstContact | undefined;
  if (deferred === undefined) {
    // As the tick topic: a cluster still starting, or still spreading a new topic, is waited for.
    await retryUntilDeadline(
      settings,
      Date.now() + settings.startupTimeoutMs,
      startFailure,
      ensureTopics,
      () => Promise.resolve(),
    );
  } else {
    const link = new KafkaLink({ clock: deferred.clock, logger });
    link.fatal.catch(deferred.onFatal);
    const met = new FirstContact(
      async () => {
        await ensureTopics();
        for (const sender of senders.values()) await sender.connect();
      },
      (e) => startFailure(e, settings),
      link,
    );
    wrap = (sender) => new ConnectOnFirstUse(sender, met, link);
    contact = met;
  }
  const out = {} as Record<T, KafkaRecordPublisher>;
  const started: KafkaRecordPublisher[] = [];
  try {
    for (const name of names) {
      const topic = topics[name];
      const sender = senders.get(name);
      if (sender === undefined) throw new Error(`no sender for ${topic}`);
      if (deferred === undefined) await sender.connect();
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
        wrap(sender),
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
    contact?.stop();
    await Promise.all(started.map((p) => p.close().catch(() => undefined)));
    throw e;
  }
  contact?.keepTrying();
  return out;
};
