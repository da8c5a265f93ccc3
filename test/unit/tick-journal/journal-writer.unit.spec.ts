import { describe, expect, it } from 'vitest';
import {
  JournalFull,
  JournalWriter,
  type OverflowPolicy,
} from '../../../src/adapters/tick-journal/journal-writer.ts';
import { TickJournal } from '../../../src/adapters/tick-journal/tick-journal.ts';
import { options, text, useTempDirs } from './journal-test-dir.ts';

const RECORD = text('12345678'); // a 16-byte frame
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('JournalWriter overflow policies', () => {
  const tempDir = useTempDirs();

  /** A journal of four 16-byte frames per segment and eight in all, already full. */
  const fullJournal = async (policy: OverflowPolicy) => {
    const journal = await TickJournal.open(options(tempDir(), { segmentBytes: 64, maxBytes: 128 }));
    const writer = new JournalWriter(journal, policy);
    const seqs: number[] = [];
    const writes = Array.from({ length: 8 }, () => writer.write(RECORD, (s) => seqs.push(s)));
    expect(await Promise.all(writes)).toEqual(Array(8).fill('durable'));
    expect(journal.hasRoom(RECORD.length)).toBe(false);
    return { journal, writer, seqs };
  };

  it('block: waits for room, in call order, and places the record once segments are deleted', async () => {
    const { journal, writer, seqs } = await fullJournal('block');
    const order: string[] = [];
    const big = writer
      .write(text('x'.repeat(40)), () => order.push('big'))
      .then((o) => order.push(`big ${o}`));
    // Small enough to fit once anything is freed, but it must not overtake the earlier write.
    const small = writer.write(text('y'), () => order.push('small')).then((o) => order.push(`small ${o}`));
    await turn();
    expect(order).toEqual([]);
    expect(writer.blocked).toBe(2);

    await journal.ack(seqs[3] ?? -1);
    await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small', 'big durable', 'small durable']);
    await journal.close();
  });

  it('drop-newest: resolves dropped and writes nothing', async () => {
    const { journal, writer } = await fullJournal('drop-newest');
    const before = journal.unacked;
    let placedSeq: number | undefined;
    expect(await writer.write(RECORD, (s) => (placedSeq = s))).toBe('dropped');
    expect(placedSeq).toBeUndefined();
    expect(journal.unacked).toBe(before);
    await journal.close();
  });

  it('fail: rejects with JournalFull', async () => {
    const { journal, writer } = await fullJournal('fail');
    await expect(writer.write(RECORD, () => undefined)).rejects.toBeInstanceOf(JournalFull);
    await journal.close();
  });

  it('places blocked writes past the limit when forced (at close, nothing handed over is lost)', async () => {
    const { journal, writer } = await fullJournal('block');
    let done = false;
    const blocked = writer.write(RECORD, () => undefined).then(() => (done = true));
    await turn();
    expect(done).toBe(false);
    writer.forceBlocked();
    await blocked;
    expect(journal.bytes).toBe(144);
    await journal.close();
  });
});
