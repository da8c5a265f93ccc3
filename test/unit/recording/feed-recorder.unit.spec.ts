import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { encodeFrame, encodePacket } from '../../../src/simulator/encode-frame.ts';
import type { TappedStream } from '../../../src/adapters/mstock/feed-tap.ts';
import {
  startFeedRecording,
  type FeedRecordingOptions,
} from '../../../src/adapters/recording/feed-recorder.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { plain, readBack } from './session-bytes.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'tickflow-recorder-'));
  dirs.push(d);
  return d;
};

const AT = Date.parse('2025-11-20T23:59:59.000+05:30');
const STREAM: TappedStream = {
  tokens: [instrumentToken(26000), instrumentToken(2885)],
  mode: 'full',
  tickTimeZone: 'ist',
  priceDivisor: 100,
  exchanges: { '26000': 'NSE', '2885': 'NSE' },
  at: epochMs(AT - 5000),
};
const frame = (ltp: number): Uint8Array => encodeFrame([encodePacket({ token: 2885, ltp }, 'ltp8')]);

/** Waits (without a deadline of its own: the test's timeout is the limit) until `check` holds. */
const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
};

const recorder = (dir: string, overrides: Partial<FeedRecordingOptions> = {}) => {
  const logger = new MemoryLogger();
  const metrics = new MemoryMetrics();
  return { logger, metrics, recording: startFeedRecording({ dir, logger, metrics, ...overrides }) };
};

describe('feed recorder', () => {
  it('writes what the tap saw, in order, with a header from the stream, and closes the file', async () => {
    const dir = tempDir();
    const { recording, metrics } = recorder(dir);
    const tap = recording.tap;
    tap.streamStarted(STREAM);
    tap.status({ kind: 'connected', at: epochMs(AT - 4000), attempt: 1 });
    tap.frame(Buffer.from('{"type":"error","data":"x"}'), epochMs(AT - 3990), 'text');
    tap.frame(frame(100), epochMs(AT - 3000), 'binary');
    tap.status({ kind: 'disconnected', at: epochMs(AT - 2000), reason: 'closed by the server' });
    tap.status({ kind: 'connected', at: epochMs(AT - 1000), attempt: 2 });
    tap.status({
      kind: 'gap',
      gap: { tokens: STREAM.tokens, from: epochMs(AT - 3000), to: epochMs(AT - 1000), cause: 'disconnect' },
    });
    const summary = await recording.close();
    expect(summary).toMatchObject({ frames: 2, lostFrames: 0 });
    expect(summary.files.map((f) => f.slice(dir.length + 1))).toEqual(['mstock-2025-11-20-235954.tfrec']);
    expect(metrics.value('recording_frames_total')).toBe(2);
    const back = await readBack(readFileSync(summary.files[0] ?? ''));
    expect(back.header).toEqual({
      feed: 'mstock',
      instruments: ['26000', '2885'],
      mode: 'full',
      tickTimeZone: 'ist',
      priceDivisor: 100,
      exchanges: { '26000': 'NSE', '2885': 'NSE' },
      streamStartedAt: AT - 5000,
      part: 1,
      istDate: '2025-11-20',
      startedAt: AT - 5000,
      compression: 'gzip',
      recorder: 'tickflow',
    });
    expect(back.records.map(plain)).toEqual([
      { kind: 'connected', at: AT - 4000, attempt: 1 },
      { kind: 'text', at: AT - 3990, text: '{"type":"error","data":"x"}' },
      { kind: 'binary', at: AT - 3000, bytes: Buffer.from(frame(100)).toString('hex') },
      { kind: 'disconnected', at: AT - 2000, reason: 'closed by the server' },
      { kind: 'connected', at: AT - 1000, attempt: 2 },
      { kind: 'gap', at: AT - 1000, from: AT - 3000, cause: 'disconnect' },
      { kind: 'end', at: AT - 1000 },
    ]);
    expect(back.ending).toEqual({ kind: 'complete' });
  });

  it('starts a new file, part 2 of the same stream, when the IST day changes', async () => {
    const dir = tempDir();
    const { recording } = recorder(dir, { compression: 'none' });
    recording.tap.streamStarted(STREAM);
    recording.tap.frame(frame(1), epochMs(AT), 'binary');
    recording.tap.frame(frame(2), epochMs(AT + 1500), 'binary'); // 00:00:00.500 IST, the next day
    recording.tap.frame(frame(3), epochMs(AT + 900), 'binary'); // the clock steps back a day: same file
    const summary = await recording.close();
    expect(readdirSync(dir).sort()).toEqual([
      'mstock-2025-11-20-235954.tfrec',
      'mstock-2025-11-21-000000.tfrec',
    ]);
    const [first, second] = await Promise.all(summary.files.map((f) => readBack(readFileSync(f))));
    expect(first?.records.map((r) => r.kind)).toEqual(['binary', 'end']);
    expect(first?.ending).toEqual({ kind: 'complete' });
    expect(second?.header).toMatchObject({
      part: 2,
      istDate: '2025-11-21',
      streamStartedAt: AT - 5000,
      startedAt: AT + 1500,
      compression: 'none',
    });
    expect(second?.records.map((r) => r.at)).toEqual([AT + 1500, AT + 900, AT + 900]);
  });

  it('drops frames while the disk is behind, counts them, and marks the place in the file', async () => {
    const dir = tempDir();
    // Every record seals a block, and nothing may wait for the disk: frames after the first are dropped
    // until its block is written.
    const { recording, metrics } = recorder(dir, { maxBlockBytes: 1, maxPendingBytes: 0 });
    recording.tap.streamStarted(STREAM);
    recording.tap.frame(frame(1), epochMs(AT), 'binary');
    recording.tap.frame(frame(2), epochMs(AT + 1), 'binary');
    recording.tap.frame(frame(3), epochMs(AT + 2), 'binary');
    await until(() => (metrics.value('recording_bytes_written_total') ?? 0) > 0);
    recording.tap.frame(frame(4), epochMs(AT + 3), 'binary');
    const summary = await recording.close();
    expect(summary).toMatchObject({ frames: 2, lostFrames: 2 });
    expect(metrics.value('recording_frames_lost_total')).toBe(2);
    const back = await readBack(readFileSync(summary.files[0] ?? ''));
    expect(back.records.map((r) => (r.kind === 'lost' ? `lost ${r.frames}` : r.kind))).toEqual([
      'binary',
      'lost 2',
      'binary',
      'end',
    ]);
  });

  it('never throws into the feed when the disk refuses: it logs, counts and stops recording', async () => {
    const parent = tempDir();
    const blocked = join(parent, 'not-a-dir');
    writeFileSync(blocked, 'x');
    const { recording, logger, metrics } = recorder(blocked, { maxBlockBytes: 1 });
    recording.tap.streamStarted(STREAM);
    recording.tap.frame(frame(1), epochMs(AT), 'binary');
    await until(() => metrics.value('recording_write_errors_total') === 1);
    recording.tap.frame(frame(2), epochMs(AT + 1), 'binary');
    const summary = await recording.close();
    expect(summary.error).toMatch(/EEXIST|ENOTDIR/);
    expect(summary.files).toEqual([]);
    expect(metrics.value('recording_write_errors_total')).toBe(1);
    expect(logger.lines()).toContain('[ERROR] Recording stopped: a session file could not be written');
  });
});
