import { Admin } from '@platformatic/kafka';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { retryUntilDeadline } from '../kafka/retry-until-deadline.ts';
import { startWaitNotice } from '../kafka/start-wait-notice.ts';
import type { KafkaSinkSettings } from '../kafka/kafka-settings.ts';
import { KafkaTickSink } from '../kafka/kafka-tick-sink.ts';
import { TickJournal } from '../tick-journal/tick-journal.ts';
import { PlatformaticBatchSender } from './platformatic-batch-sender.ts';
import { platformaticClientOptions } from './platformatic-client-options.ts';
import { platformaticStartFailure } from './platformatic-start-error.ts';
import { ensureTickTopic } from './platformatic-topic-admin.ts';

export interface PlatformaticTickSinkDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
}

/**
 * Starts the Kafka tick sink with @platformatic/kafka as the producer (KAFKA_CLIENT=platformatic):
 * the same settings, journal, topic rules and `KafkaTickSink` loop as the kafkajs sink, with only
 * the client behind `BatchSender` swapped. Fails with a `KafkaSinkStartError` naming the setting at
 * fault, within KAFKA_STARTUP_TIMEOUT_MS.
 */
export const startPlatformaticKafkaTickSink = async (
  settings: KafkaSinkSettings,
  deps: PlatformaticTickSinkDeps,
): Promise<KafkaTickSink> => {
  const logger = deps.logger.child({ component: 'kafka-tick-sink', client: 'platformatic' });
  const deadline = Date.now() + settings.startupTimeoutMs;
  let journal: TickJournal;
  try {
    journal = await TickJournal.open(settings.journal);
  } catch (e) {
    throw new Error(
      `SINK_JOURNAL_DIR: cannot open the tick journal in ${settings.journal.dir}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const stopNotice = startWaitNotice(logger, settings.brokers, settings.startupTimeoutMs);
  try {
    const options = await platformaticClientOptions(settings, logger);
    await retryUntilDeadline(
      settings,
      deadline,
      platformaticStartFailure,
      async () => {
        const admin = new Admin(options);
        try {
          await ensureTickTopic(admin, settings, logger);
        } finally {
          await admin.close().catch(() => undefined);
        }
      },
      () => Promise.resolve(),
    );
    const sender = new PlatformaticBatchSender(options, settings.topic, logger);
    await retryUntilDeadline(
      settings,
      deadline,
      platformaticStartFailure,
      () => sender.connect(),
      () => sender.close(),
    );
    return new KafkaTickSink(settings, { sender, journal, logger, metrics: deps.metrics, clock: deps.clock });
  } catch (e) {
    await journal.close().catch(() => undefined);
    throw e;
  } finally {
    stopNotice();
  }
};
