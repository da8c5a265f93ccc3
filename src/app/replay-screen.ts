import { startKafkaRecordPublishers } from '../adapters/kafka/start-kafka-record-publishers.ts';
import { MemoryRecordPublisher } from '../adapters/memory/memory-record-publisher.ts';
import type { MarketSession } from '../domain/market-session.ts';
import type { Logger } from '../ports/logger/logger.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { RecordPublisher } from '../ports/record-publisher.ts';
import type { ServiceConfig } from './root/config/service-config.ts';
import type { ReplaySinkChoice } from './root/container.ts';
import { TickScreen } from './trust/tick-screen.ts';
import { validationRulesOf } from './trust/validation-rules.ts';

export interface ReplayScreen {
  readonly screen: TickScreen;
  /** Where quarantined ticks go, in the summary's words. */
  readonly destination: string;
  close(): Promise<void>;
}

/**
 * The quarantine topic of a replay into Kafka: the configured one when the replay goes to the
 * configured tick topic, else `<topic>_quarantine`, so a replay into a topic of its own keeps its
 * quarantine beside it instead of mixing into the live one.
 */
export const replayQuarantineTopic = (config: ServiceConfig, tickTopic: string): string =>
  tickTopic === config.app.tickTopic ? config.app.quarantineTopic : `${tickTopic}_quarantine`;

/**
 * The validating screen live runs, for a replay: the same rules from the same settings, so what
 * the live run quarantined the replay quarantines too and the sink gets what live published. Every
 * tick a replay source yields was subscribed (sessions keep only their subscribed tokens). Into
 * Kafka, quarantined ticks go to the quarantine topic; into a file or stdout they are counted and
 * logged only.
 */
export const startReplayScreen = async (
  config: ServiceConfig,
  sink: ReplaySinkChoice,
  deps: { readonly session: MarketSession; readonly logger: Logger; readonly metrics: Metrics },
): Promise<ReplayScreen> => {
  let quarantine: RecordPublisher;
  let destination: string;
  if (sink.kind === 'kafka') {
    const topic = replayQuarantineTopic(config, sink.settings.topic);
    quarantine = (await startKafkaRecordPublishers(sink.settings, { quarantine: topic }, deps)).quarantine;
    destination = `Kafka topic ${topic}`;
  } else {
    quarantine = new MemoryRecordPublisher();
    destination = 'the log only';
  }
  const screen = new TickScreen(
    { quarantine, session: deps.session, logger: deps.logger, metrics: deps.metrics },
    { tokens: 'any', rules: validationRulesOf(config.app) },
  );
  return { screen, destination, close: () => quarantine.close() };
};
