// The backfill's publish stage: forked by the backfill job, it publishes the data files it is sent
// to Kafka as ticks and reports each one once flushed. Not meant to be run by hand.
import { runStageProcess } from '../src/app/root/stage-root.ts';

await runStageProcess('publish');
