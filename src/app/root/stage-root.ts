import '../../adapters/kafka/kafkajs/quiet-kafkajs-timeout-warning.ts';
import { either as E } from 'fp-ts';
import { runStageChild } from '../../adapters/backfill-stages/stage-child.ts';
import { KafkaSinkStartError } from '../../adapters/kafka/kafka-start-error.ts';
import { ConsoleLogger } from '../../adapters/logging/console-logger.ts';
import { acquireLockFile } from '../../adapters/system/lock-file.ts';
import type { StageName } from '../../ports/backfill-stages/stage-names.ts';
import {
  StageFatal,
  type StageChildContext,
  type StageWorker,
} from '../../ports/backfill-stages/stage-worker.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { decodeServiceConfig, type ServiceConfig } from './config/service-config.ts';
import { FetchWorkerId, PublishWorkerId } from './container/backfill-tokens.ts';
import { mstockCredentialsOf } from './container/mstock-bindings.ts';
import { backfillSinkSettings, buildStageContainer } from './container/stage-container.ts';

/**
 * The composition root of the backfill's stage processes (scripts/batch_nifty50 and
 * scripts/feed_kafka). The settings cross the process boundary as the environment the parent
 * forks the stage with (its own), so the stage decodes them once, as any process does; a bad one
 * is fatal to the stage (a restart cannot fix it), though its logger still starts, with defaults.
 */
type StageSettings = E.Either<readonly string[], ServiceConfig>;

/** The configuration a stage process is forked with; a bad one is fatal (a restart cannot fix it). */
const stageConfig = (settings: StageSettings): ServiceConfig => {
  if (E.isLeft(settings)) throw new StageFatal(`bad settings: ${settings.left.join('; ')}`);
  return settings.right;
};

/** A stage's logger: to stderr, so a CLI's progress on stdout stays readable. */
const stageLogger = (settings: StageSettings, stage: StageName): Logger => {
  const level = E.isRight(settings) ? settings.right.app.logLevel : 'info';
  const format = E.isRight(settings) ? settings.right.app.logFormat : 'auto';
  return new ConsoleLogger({
    level,
    format: format === 'auto' ? (process.stderr.isTTY ? 'human' : 'json') : format,
    out: process.stderr,
    base: { stage, pid: process.pid },
  });
};

/** The fetch stage: m.Stock historical candles, measured through the IPC metrics. */
const buildFetchWorker = (settings: StageSettings, context: StageChildContext): Promise<StageWorker> => {
  const config = stageConfig(settings);
  if (mstockCredentialsOf(config.app) === undefined)
    throw new StageFatal('MSTOCK_USER, MSTOCK_PASS and MSTOCK_API_KEY are required');
  return buildStageContainer({ config, context }).getAsync(FetchWorkerId);
};

/** The publish stage: the Kafka tick sink on its own journal, locked against a second writer. */
const buildPublishWorker = async (
  settings: StageSettings,
  context: StageChildContext,
): Promise<StageWorker> => {
  const config = stageConfig(settings);
  const sinkSettings = backfillSinkSettings(config);
  // An orphan of a killed parent may still be closing this journal: wait for it.
  const release = await acquireLockFile(
    `${sinkSettings.journal.dir}.lock`,
    sinkSettings.closeTimeoutMs + 10_000,
  );
  try {
    const worker = await buildStageContainer({ config, context }).getAsync(PublishWorkerId);
    return {
      handle: (m) => worker.handle(m),
      close: async () => {
        try {
          await worker.close();
        } finally {
          await release();
        }
      },
    };
  } catch (e) {
    await release();
    if (e instanceof KafkaSinkStartError && e.kind !== 'BrokerUnreachable')
      throw new StageFatal(e.message, { cause: e });
    throw e;
  }
};

const BUILD: Readonly<
  Record<StageName, (settings: StageSettings, context: StageChildContext) => Promise<StageWorker>>
> = {
  fetch: buildFetchWorker,
  publish: buildPublishWorker,
};

/** A stage process: `scripts/batch_nifty50` runs the fetch stage, `scripts/feed_kafka` the publish stage. */
export const runStageProcess = (stage: StageName): Promise<void> => {
  const settings = decodeServiceConfig(process.env, 'backfill');
  return runStageChild({
    stage,
    logger: stageLogger(settings, stage),
    argv: process.argv,
    build: (context) => BUILD[stage](settings, context),
  });
};
