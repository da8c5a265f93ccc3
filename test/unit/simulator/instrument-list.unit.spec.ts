import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { packagedInstrumentFile } from '../../../src/adapters/instruments/packaged-instrument-file.ts';
import { findPackageRoot, packageRoot } from '../../../src/adapters/system/package-root.ts';
import { decodeInstrumentCsv, loadInstrumentFile } from '../../../src/simulator/instrument-list.ts';

describe('simulator instrument list', () => {
  it('loads the shipped Nifty 50 list: the index and 50 constituents', async () => {
    const list = await loadInstrumentFile(packagedInstrumentFile());
    expect(list).toHaveLength(51);
    expect(list[0]).toEqual({ token: 26000, symbol: 'NIFTY 50', exchange: 'NSE', kind: 'index' });
    expect(list.find((i) => i.symbol === 'TCS')).toEqual({
      token: 11536,
      symbol: 'TCS',
      exchange: 'NSE',
      kind: 'equity',
    });
    expect(list.filter((i) => i.kind === 'equity')).toHaveLength(50);
  });

  it('finds the shipped list from an installed package, where the code runs from dist/src/simulator', async () => {
    // The layout `npm install tickflow` makes: config/ beside dist/, not inside it.
    const project = mkdtempSync(join(tmpdir(), 'tickflow-installed-'));
    try {
      const pkg = join(project, 'node_modules', 'tickflow');
      const compiledModuleDir = join(pkg, 'dist', 'src', 'simulator');
      mkdirSync(compiledModuleDir, { recursive: true });
      mkdirSync(join(pkg, 'config'));
      writeFileSync(join(project, 'package.json'), '{"name":"user-project"}');
      writeFileSync(join(pkg, 'package.json'), '{"name":"tickflow"}');
      copyFileSync(packagedInstrumentFile(), join(pkg, 'config', 'nifty50.csv'));
      const root = findPackageRoot(compiledModuleDir);
      expect(root).toBe(pkg);
      expect(await loadInstrumentFile(packagedInstrumentFile(root))).toHaveLength(51);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('takes the default list from the package root', () => {
    expect(packagedInstrumentFile()).toBe(join(packageRoot(), 'config', 'nifty50.csv'));
  });

  it.each([
    ['no header', 'RELIANCE,2885,NSE,equity\n'],
    ['a bad token', 'symbol,token,exchange,kind\nRELIANCE,0x2885,NSE,equity\n'],
    ['a bad exchange', 'symbol,token,exchange,kind\nRELIANCE,2885,MCX,equity\n'],
    ['a bad kind', 'symbol,token,exchange,kind\nRELIANCE,2885,NSE,stock\n'],
    ['a token twice', 'symbol,token,exchange,kind\nA,1,NSE,equity\nB,1,NSE,equity\n'],
    ['no rows', 'symbol,token,exchange,kind\n'],
  ])('refuses a list with %s', (_what, text) => {
    expect(E.isLeft(decodeInstrumentCsv(text))).toBe(true);
  });
});
