import { either as E } from 'fp-ts';
import { MemoryLogger } from '../../src/adapters/memory/memory-logger.ts';
import { decodeServiceConfig } from '../../src/app/root/config/service-config.ts';
import { startLivePipeline, type LivePipeline } from '../../src/app/root/live-pipeline.ts';
import { resolveInstruments } from '../../src/app/root/resolve-instruments.ts';
import { epochMs } from '../../src/domain/units.ts';

/**
 * `tickflow live` in this process, configured by `env` as the CLI would be, on a market clock of
 * the test's (`now`, shared with the simulator); its log kept in memory. Throws when it does not start.
 */
export const startClockedPipeline = async (
  env: Readonly<Record<string, string>>,
  now: () => number,
): Promise<{ readonly pipeline: LivePipeline; readonly logger: MemoryLogger }> => {
  const config = decodeServiceConfig(env, 'live');
  if (E.isLeft(config)) throw new Error(config.left.join('; '));
  const instruments = await resolveInstruments(config.right.app);
  if (E.isLeft(instruments)) throw new Error(instruments.left.join('; '));
  const logger = new MemoryLogger('info');
  const pipeline = await startLivePipeline({
    startup: { config: config.right, instruments: { kind: 'list', instruments: instruments.right }, logger },
    env,
    sink: { kind: 'kafka' },
    clock: { now: () => epochMs(now()) },
    anyMetricsPort: true,
  });
  if (pipeline === undefined)
    throw new Error(`the pipeline did not start: ${logger.lines().slice(-20).join('\n')}`);
  return { pipeline, logger };
};

/** Topic names of one test run, under its own `ns`, so runs on one broker never mix. */
export interface RunTopics {
  readonly ticks: string;
  readonly gaps: string;
  readonly quarantine: string;
  readonly candles: string;
}

/**
 * What a test's live pipeline on its own topics is configured with: the simulator as its broker
 * (`simulatorEnv`), the test bed's Kafka and Redis, gap fills retried quickly, nothing backfilled at start, no reconciliation after the
 * close (its own requests are not these tests' subject).
 */
export const runTopicsEnv = (
  ns: string,
  broker: Readonly<Record<string, string>>,
  servers: { readonly kafkaBroker: string; readonly redisUrl: string },
): { readonly topics: RunTopics; readonly env: Record<string, string> } => {
  const topics = {
    ticks: `ticks-${ns}`,
    gaps: `gaps-${ns}`,
    quarantine: `quarantine-${ns}`,
    candles: `candles-${ns}`,
  };
  return {
    topics,
    env: {
      ...broker,
      KAFKA_BROKER: servers.kafkaBroker,
      REDIS_URL: servers.redisUrl,
      REDIS_COMMAND_CHANNEL: `commands-${ns}`,
      TICK_TOPIC: topics.ticks,
      GAP_TOPIC: topics.gaps,
      QUARANTINE_TOPIC: topics.quarantine,
      CANDLE_TOPIC: topics.candles,
      KAFKA_TOPIC_PARTITIONS: '3',
      METRICS_HOST: '127.0.0.1',
      BACKFILL_ON_START: 'never',
      GAP_FILL_RETRY_MS: '500',
      RECONCILE_AFTER_CLOSE: 'false',
      PATH: process.env['PATH'] ?? '',
    },
  };
};
