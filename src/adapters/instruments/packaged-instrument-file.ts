import { join } from 'node:path';
import { packageRoot } from '../system/package-root.ts';

/**
 * The Nifty 50 list shipped with the package (membership changes twice a year: users edit it). Found
 * from the package root, not from this module: compiled, it sits one folder deeper (`dist/src/`).
 * Whoever starts the simulator passes it in, so the simulator itself does no package lookup.
 */
export const packagedInstrumentFile = (root: string = packageRoot()): string =>
  join(root, 'config', 'nifty50.csv');
