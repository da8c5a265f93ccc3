import { join } from 'node:path';
import type { AppConfig } from './app-config.ts';

/**
 * Folders under DATA_DIR: `backfill/<planId>/` (chunk data files, deleted when the plan
 * completes) and `backfill-tick-journal/` (the publish stage's own sink journal: the live sink's
 * journal belongs to the live process, and a journal has one writer).
 */
export const backfillPaths = (config: Pick<AppConfig, 'dataDir'>) => ({
  chunks: join(config.dataDir, 'backfill'),
  tickJournal: join(config.dataDir, 'backfill-tick-journal'),
});
