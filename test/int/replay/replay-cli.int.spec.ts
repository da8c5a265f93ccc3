import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { FIXTURE, FIXTURE_EXPECTED, sha256 } from '../../unit/replay/replay-harness.ts';
import { runCli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tickflow-replay-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const expected = JSON.parse(readFileSync(FIXTURE_EXPECTED, 'utf8')) as { ticks: number; ticksSha256: string };
const env = { DATA_DIR: join(dir, 'data') };

describe('tickflow replay', () => {
  it('writes the same NDJSON on every run: the ticks the live feed yielded when it was recorded', async () => {
    const outputs: string[] = [];
    for (const name of ['one.ndjson', 'two.ndjson']) {
      const out = join(dir, name);
      const run = await runCli(['replay', FIXTURE, '--sink', 'ndjson', '--out', out], env);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(
        /^\[INFO\] Replay finished: 1 file\(s\), \d+ frames, 279 ticks; 279 accepted by .*(one|two)\.ndjson, 0 refused, 0 quarantined; received 2025-11-20 10:00:00 to 2025-11-20 10:00:17 IST$/m,
      );
      outputs.push(readFileSync(out, 'utf8'));
    }
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[0]?.split('\n').filter(Boolean)).toHaveLength(expected.ticks);
    expect(sha256(outputs[0] ?? '')).toBe(expected.ticksSha256);
  });

  it('writes ticks to stdout and everything else to stderr; filters by token and window', async () => {
    const run = await runCli(
      [
        'replay',
        FIXTURE,
        '--sink',
        'stdout',
        '--tokens',
        '2885',
        '--from',
        '2025-11-20T10:00:05',
        '--mark-replay',
      ],
      env,
    );
    expect(run.code).toBe(0);
    const ticks = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { token: string; source: string; receivedAt: number });
    expect(ticks.length).toBeGreaterThan(0);
    for (const t of ticks) {
      expect(t).toMatchObject({ token: '2885', source: 'replay' });
      expect(t.receivedAt).toBeGreaterThanOrEqual(Date.parse('2025-11-20T10:00:05+05:30'));
    }
    expect(run.stderr).toContain(`${ticks.length} accepted by stdout`);
  });

  it('replays a damaged file up to the damage, names it, and exits 1', async () => {
    const bytes = readFileSync(FIXTURE);
    const cut = join(dir, 'cut.tfrec');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const out = join(dir, 'cut.ndjson');
    const run = await runCli(['replay', cut, '--sink', 'ndjson', '--out', out], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^\[WARN\] .*cut\.tfrec: truncated: block \d+ at byte \d+ is incomplete .*; replayed up to there$/m,
    );
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(expected.ticks);
  });

  it('refuses, before opening any sink, a file from a newer format version, a stranger, a missing file', async () => {
    const future = join(dir, 'future.tfrec');
    const bytes = Buffer.from(readFileSync(FIXTURE));
    bytes.writeUInt16BE(7, 8);
    writeFileSync(future, bytes);
    const stranger = join(dir, 'stranger.bin');
    writeFileSync(stranger, 'PK\u0003\u0004 not a recording');
    const run = await runCli(['replay', future, stranger, join(dir, 'missing.tfrec'), '--sink', 'kafka'], {
      ...env,
      KAFKA_BROKER: '127.0.0.1:1',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `tickflow replay: ${future}: session format version 7 was written by a newer tickflow; this one reads version 1 and older: upgrade tickflow to replay it`,
    );
    expect(run.stderr).toContain(`${stranger}: not a tickflow session file`);
    expect(run.stderr).toContain('missing.tfrec: ENOENT');
  });

  it('plays a directory of session files in time order', async () => {
    const sessions = join(dir, 'sessions');
    rmSync(sessions, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sessions);
    copyFileSync(FIXTURE, join(sessions, 'mstock-2025-11-20-100000.tfrec'));
    const run = await runCli(['replay', sessions, '--sink', 'stdout'], env);
    expect(run.code).toBe(0);
    expect(sha256(run.stdout)).toBe(expected.ticksSha256);
  });
});

describe('tickflow record', () => {
  it('records the simulator feed into a session file that replays', async () => {
    const sim = await startSimulator({ port: 0, rate: 2000, alwaysOpen: true });
    const out = join(dir, 'recorded');
    try {
      const run = await runCli(['record', '--out', out, '--duration', '2'], {
        ...env,
        ...simulatorEnv(sim),
        INSTRUMENTS: '26000,2885,11536',
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^\[INFO\] Recording finished frames=\d+ ticks=\d+ lostFrames=0/m);
    } finally {
      await sim.close();
    }
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^mstock-\d{4}-\d{2}-\d{2}-\d{6}\.tfrec$/);
    const replayed = await runCli(['replay', out, '--sink', 'stdout'], env);
    expect(replayed.code).toBe(0);
    const tokens = new Set(
      replayed.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { token: string }).token),
    );
    expect([...tokens].sort()).toEqual(['11536', '26000', '2885']);
  });
});
