import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src/adapters/tick-journal/journal-frame.ts';
import {
  JournalCorrupted,
  TickJournal,
  type Placement,
} from '../../../src/adapters/tick-journal/tick-journal.ts';
import { options, segmentFiles, text, useTempDirs } from './journal-test-dir.ts';

const placed = (p: Placement | 'full'): Placement => {
  if (p === 'full') throw new Error('journal unexpectedly full');
  return p;
};

const appendAll = async (journal: TickJournal, payloads: readonly string[]): Promise<void> => {
  await Promise.all(payloads.map((s) => placed(journal.append(text(s))).durable));
};

const payloads = async (journal: TickJournal, from = 0, max = 1000): Promise<string[]> =>
  (await journal.read(from, max)).map((r) => r.payload.toString('utf8'));

const names = (n: number, prefix = 'record'): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('TickJournal', () => {
  const tempDir = useTempDirs();

  it('reads records back in order, across segments and after reopening', async () => {
    const dir = tempDir();
    const journal = await TickJournal.open(options(dir, { segmentBytes: 64 }));
    await appendAll(journal, names(20));
    expect(await payloads(journal)).toEqual(names(20));
    expect(segmentFiles(dir).length).toBeGreaterThan(3);
    await journal.close();

    const reopened = await TickJournal.open(options(dir, { segmentBytes: 64 }));
    expect(reopened.recovery).toMatchObject({ records: 20, truncatedRecords: 0 });
    expect(await payloads(reopened)).toEqual(names(20));
    await appendAll(reopened, ['after-reopen']);
    expect((await payloads(reopened)).at(-1)).toBe('after-reopen');
    await reopened.close();
  });

  it('reads from a given sequence number and at most the number asked', async () => {
    const journal = await TickJournal.open(options(tempDir(), { segmentBytes: 64 }));
    await appendAll(journal, names(10));
    expect(await payloads(journal, 4, 3)).toEqual(['record-4', 'record-5', 'record-6']);
    await journal.close();
  });

  it('makes records appended together durable with one fsync', async () => {
    const journal = await TickJournal.open(options(tempDir(), { fsyncMs: 20 }));
    await appendAll(journal, names(200));
    expect(journal.fsyncs).toBe(1);
    await journal.close();
  });

  it('fsyncs as soon as a group reaches fsyncBytes, without waiting for the timer', async () => {
    const journal = await TickJournal.open(options(tempDir(), { fsyncMs: 60_000, fsyncBytes: 1000 }));
    const first = placed(journal.append(Buffer.alloc(600, 1)));
    // Below fsyncBytes and long before fsyncMs: written nowhere durable yet, so not readable.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await journal.read(0, 10)).toEqual([]);
    const second = placed(journal.append(Buffer.alloc(600, 2)));
    await Promise.all([first.durable, second.durable]);
    expect((await journal.read(0, 10)).map((r) => r.seq)).toEqual([0, 1]);
    expect(journal.fsyncs).toBe(1);
    await journal.close();
  });

  it('truncates a torn record at the end of the last segment, and counts it', async () => {
    const dir = tempDir();
    const journal = await TickJournal.open(options(dir));
    await appendAll(journal, names(3));
    await journal.close();
    const [file] = segmentFiles(dir);
    const path = join(dir, file ?? '');
    const intact = statSync(path).size;
    // A crash mid-write: the header promises 100 bytes, only 10 made it.
    const torn = Buffer.alloc(18);
    torn.writeUInt32BE(100, 0);
    appendFileSync(path, torn);

    const reopened = await TickJournal.open(options(dir));
    expect(reopened.recovery).toMatchObject({ records: 3, truncatedRecords: 1, truncatedBytes: 18 });
    expect(statSync(path).size).toBe(intact);
    await appendAll(reopened, ['next']);
    expect(await payloads(reopened)).toEqual([...names(3), 'next']);
    await reopened.close();
  });

  it('drops a last record whose CRC does not match (data blocks lost in a crash)', async () => {
    const dir = tempDir();
    const journal = await TickJournal.open(options(dir));
    await appendAll(journal, names(3));
    await journal.close();
    const path = join(dir, segmentFiles(dir)[0] ?? '');
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = 0;
    writeFileSync(path, bytes);

    const reopened = await TickJournal.open(options(dir));
    expect(reopened.recovery).toMatchObject({ records: 2, truncatedRecords: 1 });
    expect(await payloads(reopened)).toEqual(names(2));
    await reopened.close();
  });

  it('refuses to open when a segment before the last is corrupt', async () => {
    const dir = tempDir();
    const journal = await TickJournal.open(options(dir, { segmentBytes: 64 }));
    await appendAll(journal, names(10));
    await journal.close();
    const path = join(dir, segmentFiles(dir)[0] ?? '');
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = 0;
    writeFileSync(path, bytes);

    await expect(TickJournal.open(options(dir))).rejects.toBeInstanceOf(JournalCorrupted);
  });

  it('deletes a segment only once every record in it is acknowledged', async () => {
    const dir = tempDir();
    // Each frame is 8 + 8 bytes: four fit in a 64-byte segment.
    const journal = await TickJournal.open(options(dir, { segmentBytes: 64 }));
    await appendAll(
      journal,
      names(12, 'r'.repeat(6)).map((s) => s.slice(-8)),
    );
    expect(segmentFiles(dir)).toHaveLength(3);

    await journal.ack(2);
    expect(segmentFiles(dir)).toHaveLength(3);
    expect(journal.headSeq).toBe(3);
    await journal.ack(3);
    expect(segmentFiles(dir)).toHaveLength(2);
    await journal.ack(11);
    expect(segmentFiles(dir)).toHaveLength(0);
    expect(journal.bytes).toBe(0);
    expect(journal.unacked).toBe(0);

    await appendAll(journal, ['again']);
    expect(await payloads(journal, journal.headSeq)).toEqual(['again']);
    await journal.close();
  });

  it('keeps the unacknowledged records of a partly acknowledged segment for the next start', async () => {
    const dir = tempDir();
    const journal = await TickJournal.open(options(dir, { segmentBytes: 64 }));
    const records = names(6, 'r'.repeat(6)).map((s) => s.slice(-8));
    await appendAll(journal, records);
    await journal.ack(4);
    await journal.close();

    // Acknowledgements live in memory: the first segment's were lost with it, the second's kept.
    const reopened = await TickJournal.open(options(dir, { segmentBytes: 64 }));
    expect(await payloads(reopened)).toEqual(records.slice(4));
    await reopened.close();
  });

  it('refuses a record past maxBytes until acknowledged segments are deleted, unless forced', async () => {
    const dir = tempDir();
    const journal = await TickJournal.open(options(dir, { segmentBytes: 64, maxBytes: 128 }));
    const record = text('12345678');
    let accepted = 0;
    while (journal.append(record) !== 'full') accepted += 1;
    expect(accepted).toBe(8);
    expect(journal.hasRoom(record.length)).toBe(false);

    const forced = placed(journal.append(record, true));
    expect(journal.bytes).toBe(144);
    await forced.durable;

    await journal.ack(3);
    expect(journal.hasRoom(record.length)).toBe(true);
    expect(journal.append(record)).not.toBe('full');
    await journal.close();
  });

  it('takes one record larger than maxBytes when empty, rather than refusing it forever', async () => {
    const journal = await TickJournal.open(options(tempDir(), { maxBytes: 64 }));
    expect(journal.append(Buffer.alloc(100))).not.toBe('full');
    expect(journal.append(text('x'))).toBe('full');
    await journal.close();
  });

  it('refuses to acknowledge a record that is not durable yet', async () => {
    const journal = await TickJournal.open(options(tempDir(), { fsyncMs: 60_000 }));
    journal.append(text('pending'));
    await expect(journal.ack(0)).rejects.toBeInstanceOf(RangeError);
    await journal.close();
  });

  it('writes what is pending when closed', async () => {
    const dir = tempDir();
    const journal = await TickJournal.open(options(dir, { fsyncMs: 60_000 }));
    const p = placed(journal.append(text('last words')));
    await journal.close();
    await p.durable;
    const reopened = await TickJournal.open(options(dir));
    expect(await payloads(reopened)).toEqual(['last words']);
    await reopened.close();
  });

  it('stores each record as a length- and CRC-prefixed frame', async () => {
    const dir = tempDir();
    const journal = await TickJournal.open(options(dir));
    await appendAll(journal, ['a', 'bc']);
    await journal.close();
    const bytes = readFileSync(join(dir, segmentFiles(dir)[0] ?? ''));
    expect(bytes).toEqual(Buffer.concat([encodeFrame(text('a')), encodeFrame(text('bc'))]));
  });
});
