import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where downloaded server binaries live between runs (`TICKFLOW_CACHE_DIR`, else ~/.cache/tickflow). */
export const cacheDir = (): string =>
  process.env['TICKFLOW_CACHE_DIR'] ?? join(homedir(), '.cache', 'tickflow');

/** The project's root folder, found from this file whether it runs from src/ or from dist/. */
export const projectRoot = (): string => fileURLToPath(new URL('../../../', import.meta.url));
