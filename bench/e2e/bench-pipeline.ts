import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaSinkSettingsFromEnv, type KafkaClientKind } from '../../src/adapters/kafka/kafka-settings.ts';
import { ConsoleLogger } from '../../src/adapters/logging/console-logger.ts';
import { MemoryMetrics } from '../../src/adapters/memory/memory-metrics.ts';
import { createMstockAdapters } from '../../src/adapters/mstock/create-mstock-adapters.ts';
import { mstockSettings } from '../../src/adapters/mstock/mstock-settings.ts';
import { systemClock } from '../../src/adapters/system/system-clock.ts';
import { FeedIngestion } from '../../src/app/live/ingest-feed.ts';
import { instrumentToken } from '../../src/domain/instrument.ts';
import { DEMO_CREDENTIALS } from '../../src/simulator/index.ts';
import { loadInstrumentFile } from '../../src/simulator/instrument-list.ts';
import { packagedInstrumentFile } from '../../src/adapters/instruments/packaged-instrument-file.ts';
import { startTickSink } from '../../src/app/root/container/start-tick-sink.ts';
import { LatencySink } from './latency-sink.ts';

export interface PipelineOptions {
  readonly apiUrl: string;
  readonly wsUrl: string;
  readonly broker: string;
  readonly client: KafkaClientKind;
  readonly topic: string;
}

export interface BenchPipeline {
  readonly ingestion: FeedIngestion;
  readonly sink: LatencySink;
  readonly metrics: MemoryMetrics;
  /** Ends the feed, waits for publishes in flight, closes the sink. */
  stop(): Promise<void>;
}

/**
 * The live pipeline as the service runs it, in this process: the m.Stock adapter (login, WebSocket,
 * decode, normalize) → the ingest loop → the Kafka tick sink of the chosen client, with a
 * `LatencySink` between the loop and the sink. Full mode for the Nifty 50, as the service's default.
 */
export const startBenchPipeline = async (o: PipelineOptions): Promise<BenchPipeline> => {
  const logger = new ConsoleLogger({ level: 'warn', format: 'human', out: process.stderr });
  const metrics = new MemoryMetrics();
  const journalDir = mkdtempSync(join(tmpdir(), 'tickflow-bench-journal-'));
  const settings = kafkaSinkSettingsFromEnv({
    KAFKA_BROKER: o.broker,
    KAFKA_CLIENT: o.client,
    TICK_TOPIC: o.topic,
    SINK_JOURNAL_DIR: journalDir,
  });
  const kafkaSink = await startTickSink(settings, { logger, metrics, clock: systemClock });
  const sink = new LatencySink(kafkaSink);
  const instruments = await loadInstrumentFile(packagedInstrumentFile());
  const mstock = createMstockAdapters({
    credentials: {
      username: DEMO_CREDENTIALS.user,
      password: DEMO_CREDENTIALS.password,
      apiKey: DEMO_CREDENTIALS.apiKey,
      totpSecret: DEMO_CREDENTIALS.totpSecret,
    },
    settings: mstockSettings({ apiUrl: o.apiUrl, feed: { wsUrl: o.wsUrl } }),
    clock: systemClock,
    logger,
    metrics,
  });
  const ingestion = new FeedIngestion(
    { feed: mstock.feed, sink, logger, metrics, clock: systemClock },
    { maxInFlight: 64 },
  );
  const abort = new AbortController();
  const running = ingestion.run(
    { tokens: instruments.map((i) => instrumentToken(i.token)), mode: 'full' },
    abort.signal,
  );
  return {
    ingestion,
    sink,
    metrics,
    stop: async () => {
      abort.abort();
      await running.catch(() => undefined);
      await sink.close();
      mstock.session.close();
      rmSync(journalDir, { recursive: true, force: true });
    },
  };
};
