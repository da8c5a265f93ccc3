import '../../adapters/kafka/quiet-kafkajs-timeout-warning.ts';
import { buildFetchWorker, buildPublishWorker, stageLogger } from '../root/backfill-wiring.ts';
import { runStageChild } from './stage-child.ts';

/** `scripts/batch_nifty50`: the fetch stage process. */
export const runFetchStageProcess = (): Promise<void> =>
  runStageChild({
    stage: 'fetch',
    logger: stageLogger(process.env, 'fetch'),
    argv: process.argv,
    build: (context) => buildFetchWorker(process.env, context),
  });

/** `scripts/feed_kafka`: the publish stage process. */
export const runPublishStageProcess = (): Promise<void> =>
  runStageChild({
    stage: 'publish',
    logger: stageLogger(process.env, 'publish'),
    argv: process.argv,
    build: (context) => buildPublishWorker(process.env, context),
  });
