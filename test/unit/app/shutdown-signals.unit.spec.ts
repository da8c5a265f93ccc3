import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('../../support/shutdown-fixture.ts', import.meta.url));

/** Starts the fixture, waits for "ready", sends the signals; resolves with the exit code and output. */
const run = (graceMs: number, how: 'ok' | 'hang' | 'fail', signals: readonly NodeJS.Signals[]) =>
  new Promise<{ code: number | null; output: string; ms: number }>((resolve) => {
    const child = spawn(process.execPath, [FIXTURE, String(graceMs), how], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let sentAt = 0;
    const onData = (chunk: Buffer): void => {
      const before = output;
      output += chunk.toString('utf8');
      if (!before.includes('ready') && output.includes('ready')) {
        sentAt = Date.now();
        for (const s of signals) child.kill(s);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => resolve({ code, output, ms: Date.now() - sentAt }));
  });

describe('shutdown signals (real signals to a real process)', () => {
  it('an orderly stop exits 0', async () => {
    const r = await run(5000, 'ok', ['SIGTERM']);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/Shutting down/);
    expect(r.output).toMatch(/Stopped/);
  });

  it('a stop that outlasts the grace time exits 1, and says so', async () => {
    const r = await run(300, 'hang', ['SIGTERM']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/Shutdown took longer than the grace time; exiting/);
    expect(r.ms).toBeGreaterThanOrEqual(250);
  });

  it('a second signal exits at once with 130', async () => {
    const r = await run(60_000, 'hang', ['SIGINT', 'SIGTERM']);
    expect(r.code).toBe(130);
    expect(r.output).toMatch(/Second signal: exiting now/);
  });

  it('a stop that fails exits 1 with the reason', async () => {
    const r = await run(5000, 'fail', ['SIGTERM']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/Shutdown failed .*the sink would not close/);
  });
});
