import { Fifo } from './fifo.ts';
import type { TickJournal } from './tick-journal.ts';

/**
 * What happens to a record when the journal is at `maxBytes`:
 * - `block`: the write waits, in call order, until acknowledged segments are deleted (backpressure);
 * - `drop-newest`: the new record is dropped and the write resolves `'dropped'`;
 * - `fail`: the write rejects with `JournalFull`.
 */
export type OverflowPolicy = 'block' | 'drop-newest' | 'fail';
export const OVERFLOW_POLICIES: readonly OverflowPolicy[] = ['block', 'drop-newest', 'fail'];

export class JournalFull extends Error {
  constructor(bytes: number) {
    super(`tick journal is full (${bytes} bytes): record refused`);
    this.name = 'JournalFull';
  }
}

export type WriteOutcome = 'durable' | 'dropped';

interface Waiter {
  readonly payload: Uint8Array;
  readonly onPlaced: (seq: number) => void;
  readonly resolve: (durable: Promise<void>) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Writes records to a journal under an overflow policy. `onPlaced` is called with the record's
 * sequence number as soon as it is placed (synchronously when there is room), so callers can keep
 * their own index in journal order; the returned promise settles after the record's fsync.
 */
export class JournalWriter {
  private readonly journal: TickJournal;
  private readonly policy: OverflowPolicy;
  private readonly waiting = new Fifo<Waiter>();

  constructor(journal: TickJournal, policy: OverflowPolicy) {
    this.journal = journal;
    this.policy = policy;
    journal.onChange(() => {
      this.admitWaiting();
    });
  }

  /** Writes blocked for room (policy `block`). */
  get blocked(): number {
    return this.waiting.length;
  }

  async write(payload: Uint8Array, onPlaced: (seq: number) => void): Promise<WriteOutcome> {
    if (this.waiting.length === 0) {
      const placed = this.journal.append(payload);
      if (placed !== 'full') {
        onPlaced(placed.seq);
        await placed.durable;
        return 'durable';
      }
      if (this.policy === 'drop-newest') return 'dropped';
      if (this.policy === 'fail') throw new JournalFull(this.journal.bytes);
    }
    await new Promise<void>((resolve, reject) => {
      this.waiting.push({ payload, onPlaced, resolve, reject });
    });
    return 'durable';
  }

  /** Writes past `maxBytes`: for ticks already accepted in memory, which must not be lost. */
  force(payload: Uint8Array, onPlaced: (seq: number) => void): Promise<void> {
    const placed = this.journal.append(payload, true);
    if (placed === 'full') throw new Error('unreachable: a forced append is never refused');
    onPlaced(placed.seq);
    return placed.durable;
  }

  /** Places every blocked write now, past `maxBytes` (at close: what was handed over is kept). */
  forceBlocked(): void {
    for (let w = this.waiting.shift(); w !== undefined; w = this.waiting.shift()) this.place(w, true);
  }

  private admitWaiting(): void {
    for (let w = this.waiting.peek(); w !== undefined; w = this.waiting.peek()) {
      if (!this.journal.hasRoom(w.payload.length)) return;
      this.waiting.shift();
      this.place(w, false);
    }
  }

  private place(w: Waiter, force: boolean): void {
    try {
      const placed = this.journal.append(w.payload, force);
      if (placed === 'full') throw new JournalFull(this.journal.bytes);
      w.onPlaced(placed.seq);
      w.resolve(placed.durable);
    } catch (e) {
      w.reject(e);
    }
  }
}
