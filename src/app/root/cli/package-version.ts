import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { packageRoot } from '../../../adapters/system/package-root.ts';

const Manifest = t.type({ version: t.string });

/** tickflow's version, from its package.json: the same from sources, a build and the installed package. */
export const packageVersion = (): string => {
  const file = join(packageRoot(), 'package.json');
  const manifest = Manifest.decode(JSON.parse(readFileSync(file, 'utf8')));
  if (E.isLeft(manifest)) throw new Error(`${file}: no "version"`);
  return manifest.right.version;
};
