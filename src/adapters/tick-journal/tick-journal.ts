import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fifo } from './fifo.ts';
import { JournalClosed, JournalCorrupted, JournalWriteFailed } from './journal-errors.ts';
import { encodeFrame, frameLength, readFrame } from './journal-frame.ts';
import {
  recoverSegments,
  segmentName,
  syncDirectory,
  type Entry,
  type JournalRecovery,
  type Segment,
} from './journal-segments.ts';

export { JournalClosed, JournalCorrupted, JournalWriteFailed } from './journal-errors.ts';
export type { JournalRecovery } from './journal-segments.ts';

export interface TickJournalOptions {
  readonly dir: string;
  /** A segment is closed and the next one begun once a record would take it past this size. */
  readonly segmentBytes: number;
  /**
   * `append` refuses (`'full'`) a record that would take the journal past this, unless forced or
   * the journal is empty (so one record larger than the limit cannot block forever).
   */
  readonly maxBytes: number;
  /** Records are fsync'd in groups: at most this long after the first record of a group... */
  readonly fsyncMs: number;
  /** ...or as soon as this many bytes wait. */
  readonly fsyncBytes: number;
}

export interface JournalRecord {
  readonly seq: number;
  readonly payload: Buffer;
}

/** Where `append` put a record; `durable` resolves once it is fsync'd. */
export interface Placement {
  readonly seq: number;
  readonly durable: Promise<void>;
}

/**
 * An append-only journal of opaque records in numbered segment files, for ticks Kafka has not
 * taken yet. Records get consecutive sequence numbers (restarting from 0 at each open); appends are
 * placed synchronously, in call order, and made durable by one fsync per group. Records are read
 * back from the oldest unacknowledged one, and a segment is deleted once every record in it is
 * acknowledged. At open, a torn record at the end of the last segment is truncated and counted.
 */
export class TickJournal {
  private readonly options: TickJournalOptions;
  private readonly segments: Segment[];
  private readonly entries: Fifo<Entry>;
  private readonly listeners = new Set<() => void>();
  private tail: Segment | undefined;
  private nextOrdinal: number;
  private head = 0;
  private next: number;
  private durable: number;
  private totalBytes: number;
  private pending: { segment: Segment; frames: Buffer[] }[] = [];
  private pendingBytes = 0;
  private group: PromiseWithResolvers<undefined> | undefined;
  private groupEnd = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private failure: Error | undefined;
  private closed = false;
  private fsyncCount = 0;
  readonly recovery: JournalRecovery;

  private constructor(
    options: TickJournalOptions,
    segments: Segment[],
    entries: Fifo<Entry>,
    nextOrdinal: number,
    recovery: JournalRecovery,
  ) {
    this.options = options;
    this.segments = segments;
    this.entries = entries;
    this.nextOrdinal = nextOrdinal;
    this.next = entries.length;
    this.durable = entries.length;
    this.totalBytes = recovery.bytes;
    this.recovery = recovery;
    // Recovered segments are never appended to: new records start a new segment.
    this.tail = undefined;
  }

  /** Opens (creating when missing) the journal in `options.dir` and indexes what it holds. */
  static async open(options: TickJournalOptions): Promise<TickJournal> {
    const found = await recoverSegments(options.dir);
    return new TickJournal(options, found.segments, found.entries, found.nextOrdinal, found.recovery);
  }

  /** Sequence number of the oldest record not yet acknowledged. */
  get headSeq(): number {
    return this.head;
  }
  /** Records placed and not yet acknowledged, durable or not. */
  get unacked(): number {
    return this.next - this.head;
  }
  /** Bytes in the journal's segments, counting records still waiting for their fsync. */
  get bytes(): number {
    return this.totalBytes;
  }
  get fsyncs(): number {
    return this.fsyncCount;
  }
  get segmentCount(): number {
    return this.segments.length;
  }

  hasRoom(payloadBytes: number): boolean {
    return this.totalBytes === 0 || this.totalBytes + frameLength(payloadBytes) <= this.options.maxBytes;
  }

  /** Calls `listener` whenever records become durable or space is freed. Returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Places a record after every earlier one, or returns `'full'` when it would take the journal
   * past `maxBytes` (`force` places it anyway). Throws once a write has failed or after `close`.
   */
  append(payload: Uint8Array, force = false): Placement | 'full' {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new JournalClosed();
    const length = frameLength(payload.length);
    if (!force && !this.hasRoom(payload.length)) return 'full';
    let tail = this.tail;
    if (tail === undefined || (tail.size > 0 && tail.size + length > this.options.segmentBytes)) {
      tail = {
        path: join(this.options.dir, segmentName(this.nextOrdinal++)),
        size: 0,
        lastSeq: -1,
        writer: undefined,
        onDisk: false,
      };
      this.segments.push(tail);
      this.tail = tail;
    }
    const seq = this.next++;
    const frame = encodeFrame(payload);
    this.entries.push({ segment: tail, offset: tail.size, length });
    tail.size += length;
    tail.lastSeq = seq;
    this.totalBytes += length;
    const last = this.pending.at(-1);
    if (last?.segment === tail) last.frames.push(frame);
    else this.pending.push({ segment: tail, frames: [frame] });
    this.pendingBytes += length;
    // Held here: a flush started below takes `this.group` at once.
    const group = this.group ?? Promise.withResolvers<undefined>();
    if (this.group === undefined) {
      // Callers await `durable`; this keeps a failed group from also being an unhandled rejection.
      group.promise.catch(() => undefined);
      this.group = group;
    }
    this.groupEnd = seq + 1;
    if (this.pendingBytes >= this.options.fsyncBytes) this.startFlush();
    else
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.startFlush();
      }, this.options.fsyncMs);
    return { seq, durable: group.promise };
  }

  /** Durable records from `fromSeq` (at least the head), oldest first, at most `maxRecords`. */
  async read(fromSeq: number, maxRecords: number): Promise<JournalRecord[]> {
    const start = Math.max(fromSeq, this.head);
    const end = Math.min(this.durable, start + maxRecords);
    // Plan the reads now: the index may move on while the reads are awaited.
    const runs: { path: string; offset: number; length: number; first: number; count: number }[] = [];
    for (let seq = start; seq < end; seq++) {
      const entry = this.entries.at(seq - this.head);
      if (entry === undefined) break;
      const run = runs.at(-1);
      if (run?.path === entry.segment.path && run.offset + run.length === entry.offset) {
        run.length += entry.length;
        run.count += 1;
      } else
        runs.push({
          path: entry.segment.path,
          offset: entry.offset,
          length: entry.length,
          first: seq,
          count: 1,
        });
    }
    const records: JournalRecord[] = [];
    for (const run of runs) {
      const bytes = Buffer.allocUnsafe(run.length);
      const handle = await open(run.path, 'r');
      try {
        const { bytesRead } = await handle.read(bytes, 0, run.length, run.offset);
        if (bytesRead < run.length)
          throw new JournalCorrupted(run.path, run.offset + bytesRead, 'file too short');
      } finally {
        await handle.close();
      }
      let offset = 0;
      for (let i = 0; i < run.count; i++) {
        const read = readFrame(bytes, offset);
        if (read.kind !== 'frame')
          throw new JournalCorrupted(
            run.path,
            run.offset + offset,
            read.kind === 'corrupt' ? read.reason : read.kind,
          );
        records.push({ seq: run.first + i, payload: read.payload });
        offset = read.next;
      }
    }
    return records;
  }

  /** Acknowledges every record up to `throughSeq`; deletes the segments now wholly acknowledged. */
  async ack(throughSeq: number): Promise<void> {
    if (throughSeq < this.head) return;
    if (throughSeq >= this.durable)
      throw new RangeError(
        `cannot acknowledge record ${throughSeq}: only records below ${this.durable} are durable`,
      );
    while (this.head <= throughSeq) {
      this.entries.shift();
      this.head += 1;
    }
    const done: Segment[] = [];
    for (let s = this.segments[0]; s !== undefined && s.lastSeq <= throughSeq; s = this.segments[0]) {
      this.segments.shift();
      this.totalBytes -= s.size;
      if (s === this.tail) this.tail = undefined;
      done.push(s);
    }
    for (const s of done) {
      const writer = s.writer;
      s.writer = undefined;
      await writer?.close();
      await unlink(s.path);
    }
    if (done.length > 0) this.notify();
  }

  /** Writes and fsyncs what is pending, then closes the files. Appends fail from now on. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.length > 0) this.startFlush();
    while (this.flushing !== undefined) await this.flushing;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const s of this.segments) {
      const writer = s.writer;
      s.writer = undefined;
      await writer?.close();
    }
  }

  private startFlush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing !== undefined) {
      this.flushAgain = true;
      return;
    }
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
    });
  }

  private async flushLoop(): Promise<void> {
    do {
      this.flushAgain = false;
      const batch = this.pending;
      const group = this.group;
      const end = this.groupEnd;
      this.pending = [];
      this.pendingBytes = 0;
      this.group = undefined;
      if (batch.length === 0) continue;
      try {
        await this.writeGroup(batch);
      } catch (e) {
        group?.reject(this.fail(e));
        return;
      }
      this.durable = end;
      group?.resolve(undefined);
      this.notify();
    } while (this.moreToFlush());
  }

  /** Asked for during the last write (a method: the flag changes while the loop awaits). */
  private moreToFlush(): boolean {
    return this.flushAgain || this.pendingBytes >= this.options.fsyncBytes;
  }

  private async writeGroup(batch: readonly { segment: Segment; frames: Buffer[] }[]): Promise<void> {
    for (const { segment, frames } of batch) {
      const writer = segment.writer ?? (await open(segment.path, 'a'));
      segment.writer = writer;
      await writer.appendFile(frames.length === 1 ? (frames[0] ?? Buffer.alloc(0)) : Buffer.concat(frames));
      await writer.datasync();
      this.fsyncCount += 1;
      if (!segment.onDisk) {
        await syncDirectory(this.options.dir);
        segment.onDisk = true;
      }
    }
    for (const s of this.segments) {
      if (s === this.tail || s.writer === undefined) continue;
      const writer = s.writer;
      s.writer = undefined;
      await writer.close();
    }
  }

  /** A failed write leaves the files in doubt: refuse everything from now on. */
  private fail(cause: unknown): JournalWriteFailed {
    const failure = new JournalWriteFailed(cause);
    this.failure = failure;
    this.group?.reject(failure);
    this.group = undefined;
    this.pending = [];
    return failure;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
