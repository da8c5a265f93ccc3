import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { TickJournalOptions } from '../../../src/adapters/tick-journal/tick-journal.ts';

/** A fresh folder per test, removed after it. */
export const useTempDirs = (): (() => string) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), 'tick-journal-'));
    dirs.push(d);
    return d;
  };
};

export const options = (dir: string, overrides: Partial<TickJournalOptions> = {}): TickJournalOptions => ({
  dir,
  segmentBytes: 1 << 20,
  maxBytes: 1 << 30,
  fsyncMs: 1,
  fsyncBytes: 1 << 20,
  ...overrides,
});

export const segmentFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.journal'))
    .sort();

export const text = (s: string): Buffer => Buffer.from(s, 'utf8');
