// The backfill's fetch stage: forked by the backfill job, it downloads the candle chunks it is sent
// into data files and reports each one. Not meant to be run by hand.
import { runFetchStageProcess } from '../src/app/backfill/stage-entry.ts';

await runFetchStageProcess();
