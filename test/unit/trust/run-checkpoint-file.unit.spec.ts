import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunCheckpointFile } from '../../../src/adapters/run-checkpoint/run-checkpoint-file.ts';
import type { RunCheckpoint } from '../../../src/domain/gap-downtime.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { RELIANCE, TCS, TRADING } from './trust-fixtures.ts';

const folder = () => mkdtempSync(join(tmpdir(), 'tickflow-checkpoint-'));

const checkpoint: RunCheckpoint = {
  writtenAt: TRADING,
  stoppedCleanly: true,
  tokens: new Map([
    [RELIANCE, { lastAcceptedAt: epochMs(TRADING - 10) }],
    [TCS, { lastAcceptedAt: epochMs(TRADING - 60_000), unrecorded: 'process-down' as const }],
  ]),
};

describe('RunCheckpointFile', () => {
  it('no file is a first run; a written checkpoint reads back whole, and the temporary file is gone', async () => {
    const dir = folder();
    const store = new RunCheckpointFile(join(dir, 'run-checkpoint.json'));
    expect(await store.read()).toEqual({ kind: 'first-run' });
    await store.write({ ...checkpoint, stoppedCleanly: false });
    await store.write(checkpoint);
    expect(await store.read()).toEqual({ kind: 'checkpoint', checkpoint });
    expect(readdirSync(dir)).toEqual(['run-checkpoint.json']);
  });

  it.each([
    ['not JSON', '{"version":1,"writtenAt":17', /not JSON/],
    ['another version', '{"version":2,"writtenAt":1,"stoppedCleanly":true,"tokens":{}}', /version-1/],
    [
      'a key that is no token',
      '{"version":1,"writtenAt":1,"stoppedCleanly":true,"tokens":{"abc":{"lastAcceptedAt":1}}}',
      /not an instrument token/,
    ],
    [
      'a negative time',
      '{"version":1,"writtenAt":1,"stoppedCleanly":true,"tokens":{"2885":{"lastAcceptedAt":-5}}}',
      /version-1/,
    ],
  ])('%s is unreadable, with the file modification time', async (_what, text, reason) => {
    const file = join(folder(), 'run-checkpoint.json');
    writeFileSync(file, text);
    utimesSync(file, new Date(TRADING), new Date(TRADING));
    const read = await new RunCheckpointFile(file).read();
    expect(read.kind === 'unreadable' ? [read.modifiedAt, read.reason] : read).toEqual([
      TRADING,
      expect.stringMatching(reason) as unknown,
    ]);
  });
});
