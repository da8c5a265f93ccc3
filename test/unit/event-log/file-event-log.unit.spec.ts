import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLogCorrupted } from '../../../src/ports/event-log/event-log-errors.ts';
import { FileEventLog } from '../../../src/adapters/event-log/file-event-log.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { ConcurrencyConflict } from '../../../src/ports/event-log/event-log.ts';
import { added, eventLogContract, named, TestEvent } from '../../contract/event-log.contract.ts';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'tickflow-events-'));

eventLogContract('file', () => {
  const dir = tempDir();
  const metrics = new MemoryMetrics();
  const logger = new MemoryLogger();
  return Promise.resolve({
    open: () => new FileEventLog({ dir: join(dir, 'events'), codec: TestEvent, logger, metrics }),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});

describe('FileEventLog', () => {
  let dir: string;
  let logger: MemoryLogger;
  let metrics: MemoryMetrics;
  const open = (): FileEventLog<TestEvent> => new FileEventLog({ dir, codec: TestEvent, logger, metrics });
  const fileOf = (stream: string): string => join(dir, `${stream}.ndjson`);
  const torn = (): number | undefined => metrics.value('event_log_torn_tails_total');

  beforeEach(() => {
    dir = join(tempDir(), 'events');
    logger = new MemoryLogger();
    metrics = new MemoryMetrics();
  });
  afterEach(() => {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('keeps one NDJSON file per stream, one {"v","e"} line per event', async () => {
    const log = open();
    await log.append('plan-1', [added(1)], 'no-stream');
    await log.append('plan-1', [named('a'), added(2)], 1);
    expect(readFileSync(fileOf('plan-1'), 'utf8')).toBe(
      '{"v":1,"e":{"type":"Added","data":{"n":1}}}\n' +
        '{"v":2,"n":2,"e":{"type":"Named","data":{"name":"a"}}}\n' +
        '{"v":3,"e":{"type":"Added","data":{"n":2}}}\n',
    );
  });

  it('makes its folder on the first append, not on a read', async () => {
    const log = open();
    expect(await log.read('plan-1')).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    await log.append('plan-1', [added(1)], 'no-stream');
    expect(existsSync(fileOf('plan-1'))).toBe(true);
  });

  it('ignores a torn last line on read, counting and logging it once', async () => {
    const good = '{"v":1,"e":{"type":"Added","data":{"n":1}}}\n';
    await open().append('plan-1', [added(1)], 'no-stream');
    const tail = '{"v":2,"e":{"type":"Add';
    writeFileSync(fileOf('plan-1'), good + tail);
    const log = open();
    expect((await log.read('plan-1')).map((e) => e.event)).toEqual([added(1)]);
    expect((await log.read('plan-1')).map((e) => e.event)).toEqual([added(1)]);
    expect(torn()).toBe(1);
    const warnings = logger.records.filter((r) => r.level === 'warn');
    expect(warnings.map((r) => [r.fields['file'], r.fields['tornBytes']])).toEqual([
      [fileOf('plan-1'), tail.length],
    ]);
  });

  it('cuts the torn tail off on the next append, which then takes its version', async () => {
    const log = open();
    await log.append('plan-1', [added(1)], 'no-stream');
    const good = readFileSync(fileOf('plan-1'), 'utf8');
    writeFileSync(fileOf('plan-1'), `${good}{"v":2,"e":{"ty`);
    expect(await log.append('plan-1', [added(2)], 1)).toEqual({ version: 2 });
    expect(readFileSync(fileOf('plan-1'), 'utf8')).toBe(
      `${good}{"v":2,"e":{"type":"Added","data":{"n":2}}}\n`,
    );
    expect(torn()).toBe(1);
    expect(logger.lines()).toContain('[INFO] Cut the torn tail off an event stream file');
    expect((await open().read('plan-1')).map((e) => e.version)).toEqual([1, 2]);
  });

  it('drops a batch whose last line never landed as a whole', async () => {
    const log = open();
    await log.append('plan-1', [added(1)], 'no-stream');
    const good = readFileSync(fileOf('plan-1'), 'utf8');
    // Two whole lines of a three-event append, as a crash in the middle of its write can leave.
    writeFileSync(
      fileOf('plan-1'),
      `${good}{"v":2,"n":3,"e":{"type":"Added","data":{"n":2}}}\n{"v":3,"e":{"type":"Added","data":{"n":3}}}\n`,
    );
    expect((await log.read('plan-1')).map((e) => e.version)).toEqual([1]);
    await expect(log.append('plan-1', [added(9)], 3)).rejects.toMatchObject({ actual: 1 });
    expect(await log.append('plan-1', [added(9)], 1)).toEqual({ version: 2 });
    expect((await log.read('plan-1')).map((e) => e.event)).toEqual([added(1), added(9)]);
  });

  it('refuses a file with a broken line, naming the file and the line', async () => {
    const log = open();
    await log.append('plan-1', [added(1), added(2)], 'no-stream');
    const lines = readFileSync(fileOf('plan-1'), 'utf8').split('\n');
    writeFileSync(
      fileOf('plan-1'),
      [lines[0], '{"v":2,"e":{"type":"Added","data":{"n":"two"}}}', ''].join('\n'),
    );
    const read = log.read('plan-1');
    await expect(read).rejects.toBeInstanceOf(EventLogCorrupted);
    await expect(read).rejects.toMatchObject({ where: fileOf('plan-1'), line: 2 });
    await expect(read).rejects.toThrow(`${fileOf('plan-1')}:2: not an event: data.n: expected number`);
  });

  it('refuses to append to a file with a line that is not a record', async () => {
    const log = open();
    await log.append('plan-1', [added(1)], 'no-stream');
    const good = readFileSync(fileOf('plan-1'), 'utf8');
    writeFileSync(fileOf('plan-1'), `oops\n${good}`);
    await expect(log.append('plan-1', [added(2)], 'any')).rejects.toMatchObject({
      name: 'EventLogCorrupted',
      line: 1,
    });
    expect(readFileSync(fileOf('plan-1'), 'utf8')).toBe(`oops\n${good}`);
  });

  it('sees what another instance appended before checking the expected version', async () => {
    const a = open();
    const b = open();
    await a.append('plan-1', [added(1)], 'no-stream');
    await b.append('plan-1', [added(2)], 1);
    await expect(a.append('plan-1', [added(3)], 1)).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect((await a.read('plan-1')).map((e) => e.event)).toEqual([added(1), added(2)]);
  });

  it('serializes appends of two instances on the same folder within one process', async () => {
    const [a, b] = [open(), open()];
    await a.append('plan-1', [added(0)], 'no-stream');
    const results = await Promise.allSettled([
      a.append('plan-1', [added(1)], 1),
      b.append('plan-1', [added(2)], 1),
      a.append('plan-1', [added(3)], 1),
      b.append('plan-1', [added(4)], 1),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    // The losers saw the winner's event and lost cleanly, rather than racing it to the file.
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrencyConflict);
    expect((await open().read('plan-1')).map((e) => e.version)).toEqual([1, 2]);
  });
});
