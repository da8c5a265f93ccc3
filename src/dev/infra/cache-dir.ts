import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where downloaded server binaries live between runs (`TICKFLOW_CACHE_DIR`, else ~/.cache/tickflow). */
export const cacheDir = (): string =>
  process.env['TICKFLOW_CACHE_DIR'] ?? join(homedir(), '.cache', 'tickflow');
