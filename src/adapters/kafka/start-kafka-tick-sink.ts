import { Kafka } from 'kafkajs';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { TickJournal } from '../tick-journal/tick-journal.ts';
import { KafkaBatchSender } from './kafka-batch-sender.ts';
import { CLIENT_RETRY, kafkaClientConfig } from './kafka-client-config.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import { startFailure } from './kafka-start-error.ts';
import { KafkaTickSink } from './kafka-tick-sink.ts';
import { ensureTickTopic } from './kafka-topic-admin.ts';

export interface KafkaTickSinkDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
}

const RETRY_PAUSE_MS = 500;

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

class StartTimedOut extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'StartTimedOut';
  }
}

/**
 * Runs `attempt` until it succeeds, retrying while the broker is unreachable, until `deadline`.
 * A refusal that retrying cannot fix (authentication, TLS, a bad topic setting) fails at once.
 * An attempt still running at the deadline is abandoned and `cleanup` runs when it settles.
 */
const untilDeadline = async (
  settings: KafkaSinkSettings,
  deadline: number,
  attempt: () => Promise<void>,
  cleanup: () => Promise<void>,
): Promise<void> => {
  for (;;) {
    const left = deadline - Date.now();
    const running = attempt();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        running,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new StartTimedOut(settings.startupTimeoutMs)), Math.max(0, left));
        }),
      ]);
      return;
    } catch (e) {
      if (e instanceof StartTimedOut) running.then(cleanup, cleanup).catch(() => undefined);
      const failure = startFailure(e, settings);
      if (failure.kind !== 'BrokerUnreachable' || Date.now() + RETRY_PAUSE_MS >= deadline) throw failure;
      await sleep(RETRY_PAUSE_MS);
    } finally {
      clearTimeout(timer);
    }
  }
};

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
  const kafka = new Kafka(await kafkaClientConfig(settings, logger));
  await untilDeadline(
    settings,
    deadline,
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
  const sender = new KafkaBatchSender(kafka, settings.topic, logger);
  await untilDeadline(
    settings,
    deadline,
    () => sender.connect(),
    () => sender.close(),
  );
  return new KafkaTickSink(settings, { sender, journal, logger, metrics: deps.metrics, clock: deps.clock });
};
