import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FileEventLog } from '../../../src/adapters/event-log/file-event-log.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { added, TestEvent } from '../../contract/event-log.contract.ts';

const fixture = fileURLToPath(new URL('./fixtures/append-until-killed.ts', import.meta.url));

/** Runs the appender until it has acknowledged `acks` versions, kills it, and returns the last one acked. */
const appendThenKill = (dir: string, acks: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastAcked = 0;
    let seen = 0;
    let stderr = '';
    let buffered = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        lastAcked = Number(line.replace('acked ', ''));
        seen += 1;
        if (seen === acks) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(lastAcked);
      else reject(new Error(`appender exited by itself: ${stderr}`));
    });
  });

describe('FileEventLog when its process is killed mid-append', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged event and takes appends again after a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tickflow-crash-'));
    const lastAcked = await appendThenKill(dir, 200);
    const log = new FileEventLog({
      dir,
      codec: TestEvent,
      logger: new MemoryLogger(),
      metrics: new MemoryMetrics(),
    });
    const events = await log.read('crash-plan');
    // Everything acknowledged is there, in order; at most the append in flight at the kill is extra.
    expect(events.length).toBeGreaterThanOrEqual(lastAcked);
    expect(events.length - lastAcked).toBeLessThanOrEqual(3);
    expect(events.map((e) => e.event)).toEqual(events.map((_, i) => added(i + 1)));
    expect(await log.append('crash-plan', [added(events.length + 1)], events.length)).toEqual({
      version: events.length + 1,
    });
  });
});
