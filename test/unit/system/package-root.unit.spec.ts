import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findPackageRoot, packageRoot } from '../../../src/adapters/system/package-root.ts';

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

/** A temporary folder tree: each entry is a file path (with its text) or a folder (text undefined). */
const tree = (entries: Readonly<Record<string, string | undefined>>): string => {
  const root = mkdtempSync(join(tmpdir(), 'tickflow-root-'));
  folders.push(root);
  for (const [path, text] of Object.entries(entries)) {
    const full = join(root, path);
    if (text === undefined) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
  }
  return root;
};

const manifest = (name: string): string => JSON.stringify({ name, version: '1.0.0' });

describe('package root lookup', () => {
  it('finds the package from its sources and from its compiled dist/src/ alike', () => {
    const root = tree({
      'package.json': manifest('tickflow'),
      'src/simulator': undefined,
      'dist/src/simulator': undefined,
    });
    expect(findPackageRoot(join(root, 'src', 'simulator'))).toBe(root);
    expect(findPackageRoot(join(root, 'dist', 'src', 'simulator'))).toBe(root);
  });

  it('finds the installed package inside a user project, not the project around it', () => {
    const project = tree({
      'package.json': manifest('my-trading-app'),
      'node_modules/tickflow/package.json': manifest('tickflow'),
      'node_modules/tickflow/dist/src/simulator': undefined,
    });
    const start = join(project, 'node_modules', 'tickflow', 'dist', 'src', 'simulator');
    expect(findPackageRoot(start)).toBe(join(project, 'node_modules', 'tickflow'));
  });

  it('walks past a package.json without our name or that is not JSON', () => {
    const root = tree({
      'package.json': manifest('tickflow'),
      'dist/package.json': '{"type":"module"}',
      'dist/src/package.json': 'not json',
      'dist/src/simulator': undefined,
    });
    expect(findPackageRoot(join(root, 'dist', 'src', 'simulator'))).toBe(root);
  });

  it('says undefined when no folder above holds the package', () => {
    const root = tree({ 'package.json': manifest('something-else'), 'a/b': undefined });
    expect(findPackageRoot(join(root, 'a', 'b'))).toBeUndefined();
  });

  it('resolves this checkout from the module itself', () => {
    const checkout = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
    expect(packageRoot()).toBe(join(checkout));
  });
});
