import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { TickJournal } from '../tick-journal/tick-journal.ts';
import { ConnectOnFirstUse, type MessageSender } from './connect-on-first-use.ts';
import { FirstContact } from './first-contact.ts';
import { KafkaLink } from './kafka-link.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import type { KafkaSinkStartError } from './kafka-start-error.ts';
import { KafkaTickSink } from './kafka-tick-sink.ts';
import { retryUntilDeadline } from './retry-until-deadline.ts';
import { startWaitNotice } from './start-wait-notice.ts';
import type { TickMessage } from './tick-message.ts';

export interface TickSinkDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
}

/** What the start needs of Kafka, built on the driver of the client KAFKA_CLIENT names (start-kafka-tick-sink.ts). */
export interface TickSinkClient {
  /** Creates the tick topic when missing, or checks the one there (verify-topic-shape.ts). */
  readonly ensureTopic: () => Promise<void>;
  readonly sender: MessageSender<TickMessage> & { connect(): Promise<void> };
  /** This client's errors as the start failure naming the setting at fault. */
  readonly classify: (error: unknown, settings: KafkaSinkSettings) => KafkaSinkStartError;
}

const openJournal = async (settings: KafkaSinkSettings): Promise<TickJournal> => {
  try {
    return await TickJournal.open(settings.journal);
  } catch (e) {
    throw new Error(
      `SINK_JOURNAL_DIR: cannot open the tick journal in ${settings.journal.dir}: ${(e as Error).message}`,
      { cause: e },
    );
  }
};

/** KAFKA_REQUIRED_AT_START=true: the topic and the producer within KAFKA_STARTUP_TIMEOUT_MS, said aloud. */
const meetKafkaNow = async (
  settings: KafkaSinkSettings,
  client: TickSinkClient,
  logger: Logger,
): Promise<void> => {
  const deadline = Date.now() + settings.startupTimeoutMs;
  const stopNotice = startWaitNotice(logger, settings.brokers, settings.startupTimeoutMs);
  try {
    await retryUntilDeadline(
      settings,
      deadline,
      client.classify,
      () => client.ensureTopic(),
      () => Promise.resolve(),
    );
    await retryUntilDeadline(
      settings,
      deadline,
      client.classify,
      () => client.sender.connect(),
      () => client.sender.close(),
    );
  } finally {
    stopNotice();
  }
};

/**
 * The Kafka tick sink on either client. The journal opens first (indexing what an earlier run
 * left). With KAFKA_REQUIRED_AT_START=true the start then meets Kafka or fails with a
 * `KafkaSinkStartError`, as it always did. Otherwise the sink is returned at once: ticks go to the
 * journal while Kafka cannot be reached, the first contact (topic created or checked, producer
 * connected) is made in the background or by the first send, and the sink drains the journal in
 * order once Kafka answers. A refusal found then fails `sink.link.fatal`, the journal kept.
 */
export const assembleTickSink = async (
  settings: KafkaSinkSettings,
  deps: TickSinkDeps,
  logger: Logger,
  makeClient: () => Promise<TickSinkClient>,
): Promise<KafkaTickSink> => {
  const journal = await openJournal(settings);
  let client: TickSinkClient;
  try {
    client = await makeClient();
    if (settings.requiredAtStart) await meetKafkaNow(settings, client, logger);
  } catch (e) {
    await journal.close().catch(() => undefined);
    throw e;
  }
  const link = new KafkaLink({
    clock: deps.clock,
    logger,
    metrics: deps.metrics,
    connected: settings.requiredAtStart,
  });
  const { sender } = client;
  const contact = new FirstContact(
    async () => {
      await client.ensureTopic();
      await sender.connect();
    },
    (e) => client.classify(e, settings),
    link,
    { reached: settings.requiredAtStart },
  );
  const sink = new KafkaTickSink(settings, {
    sender: new ConnectOnFirstUse(sender, contact, link),
    journal,
    logger,
    metrics: deps.metrics,
    clock: deps.clock,
    link,
  });
  link.describeBacklogWith(() => sink.backlog());
  if (!settings.requiredAtStart) {
    logger.info(
      `Not waiting for Kafka at ${settings.brokers.join(',')} (KAFKA_REQUIRED_AT_START=false): ` +
        'ticks wait in the local journal until it answers',
    );
    contact.keepTrying();
  }
  return sink;
};
