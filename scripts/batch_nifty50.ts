// The backfill's fetch stage: forked by the backfill job, it downloads the candle chunks it is sent
// into data files and reports each one. Not meant to be run by hand.
import { runStageProcess } from '../src/app/root/stage-root.ts';

await runStageProcess('fetch');
