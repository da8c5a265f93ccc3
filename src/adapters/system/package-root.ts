import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';

const PACKAGE_NAME = 'tickflow';
const Manifest = t.type({ name: t.string });

const manifestName = (folder: string): string | undefined => {
  const file = join(folder, 'package.json');
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const manifest = Manifest.decode(parsed);
  return E.isRight(manifest) ? manifest.right.name : undefined;
};

/**
 * The nearest folder at or above `start` whose package.json is named `name`, or undefined. The name
 * is checked so that a stray package.json on the way (a `{"type":"module"}` in a build folder) or
 * the user's own project around `node_modules/tickflow` is not taken for ours.
 */
export const findPackageRoot = (start: string, name: string = PACKAGE_NAME): string | undefined => {
  let folder = start;
  for (;;) {
    if (manifestName(folder) === name) return folder;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
};

let cachedRoot: string | undefined;

/**
 * tickflow's root folder, the one holding package.json and the shipped `config/`, `infra/` and
 * `docs/`: the same answer from `src/` (sources) and from `dist/src/` (built or installed package).
 */
export const packageRoot = (): string => {
  if (cachedRoot !== undefined) return cachedRoot;
  const here = dirname(fileURLToPath(import.meta.url));
  const root = findPackageRoot(here);
  if (root === undefined) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${here}`);
  cachedRoot = root;
  return root;
};
