import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where downloaded server binaries live between runs (`TICKFLOW_CACHE_DIR`, else ~/.cache/tickflow). */
export const cacheDir = (): string =>
  process.env['TICKFLOW_CACHE_DIR'] ?? join(homedir(), '.cache', 'tickflow');

/** The package's root folder (where package.json is), whether this runs from src/ or from dist/src/. */
export const projectRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the tickflow package root');
    dir = parent;
  }
  return dir;
};
