// The backfill's publish stage: forked by the backfill job, it publishes the data files it is sent
// to Kafka as ticks and reports each one once flushed. Not meant to be run by hand.
import { runPublishStageProcess } from '../src/app/backfill/stage-entry.ts';

await runPublishStageProcess();
