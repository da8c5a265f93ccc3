import { Kafka } from 'kafkajs';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { TickJournal } from '../tick-journal/tick-journal.ts';
import { KafkaBatchSender } from './kafka-batch-sender.ts';
import { CLIENT_RETRY, kafkaClientConfig } from './kafka-client-config.ts';
import { retryUntilDeadline } from './retry-until-deadline.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import { startFailure } from './kafka-start-error.ts';
import { KafkaTickSink } from './kafka-tick-sink.ts';
import { startWaitNotice } from './start-wait-notice.ts';
import { ensureTickTopic } from './kafka-topic-admin.ts';

export interface KafkaTickSinkDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
}

/**
 * Starts the Kafka tick sink: opens the journal (indexing what an earlier run left), creates or
 * checks the topic, connects the producer (logging `Kafka Producer Ready`). Fails with a
 * `KafkaSinkStartError` naming the setting at fault, within KAFKA_STARTUP_TIMEOUT_MS.
 */
export const startKafkaTickSink = async (
  settings: KafkaSinkSettings,
  deps: KafkaTickSinkDeps,
): Promise<KafkaTickSink> => {
  const logger = deps.logger.child({ component: 'kafka-tick-sink' });
  const deadline = Date.now() + settings.startupTimeoutMs;
  let journal: TickJournal;
  try {
    journal = await TickJournal.open(settings.journal);
  } catch (e) {
    throw new Error(
      `SINK_JOURNAL_DIR: cannot open the tick journal in ${settings.journal.dir}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const stopNotice = startWaitNotice(logger, settings.brokers, settings.startupTimeoutMs);
  let sender: KafkaBatchSender;
  try {
    const kafka = new Kafka(await kafkaClientConfig(settings, logger));
    await retryUntilDeadline(
      settings,
      deadline,
      startFailure,
      async () => {
        const admin = kafka.admin({ retry: CLIENT_RETRY });
        try {
          await admin.connect();
          await ensureTickTopic(admin, settings, logger);
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      },
      () => Promise.resolve(),
    );
    const connecting = new KafkaBatchSender(kafka, settings.topic, logger);
    await retryUntilDeadline(
      settings,
      deadline,
      startFailure,
      () => connecting.connect(),
      () => connecting.close(),
    );
    sender = connecting;
  } catch (e) {
    await journal.close().catch(() => undefined);
    throw e;
  } finally {
    stopNotice();
  }
  return new KafkaTickSink(settings, { sender, journal, logger, metrics: deps.metrics, clock: deps.clock });
};
