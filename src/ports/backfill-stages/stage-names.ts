/** The backfill's two child processes: one downloads candles into files, one publishes them as ticks. */
export type StageName = 'fetch' | 'publish';
