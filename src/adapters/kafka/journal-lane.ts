import type { Logger } from '../../ports/logger/logger.ts';
import { Fifo } from '../tick-journal/fifo.ts';
import { JournalWriter, type OverflowPolicy } from '../tick-journal/journal-writer.ts';
import type { JournalRecord, TickJournal } from '../tick-journal/tick-journal.ts';
import type { Chunk, PublishLedger } from './publish-ledger.ts';
import type { SinkMetrics } from './sink-metrics.ts';
import { journalPayload, messagesFromPayload, type TickMessage } from './tick-message.ts';

/** Records to send as one Kafka batch, and the last of them, to acknowledge once it is in. */
export interface JournalBatch {
  readonly lastSeq: number;
  readonly messages: TickMessage[];
}

interface Placed {
  readonly seq: number;
  readonly doneTicket: number;
  readonly acceptedAt: number;
}

const READ_AHEAD_RECORDS = 64;

/**
 * The sink's way through the journal: chunks written as records in acceptance order (one chunk,
 * one record), read back oldest first as batches, and acknowledged once Kafka has them, which
 * also settles flushes waiting on them.
 */
export class JournalLane {
  private readonly journal: TickJournal;
  private readonly writer: JournalWriter;
  private readonly ledger: PublishLedger;
  private readonly metrics: SinkMetrics;
  private readonly logger: Logger;
  /** Tickets of the unacknowledged records, oldest first; one entry covers an earlier run's records. */
  private readonly placed = new Fifo<Placed>();
  private readAhead: { seq: number; messages: TickMessage[] }[] = [];
  private nextReadSeq: number;
  private skipThrough = -1;
  private again: JournalBatch | undefined;

  constructor(
    journal: TickJournal,
    policy: OverflowPolicy,
    ledger: PublishLedger,
    metrics: SinkMetrics,
    logger: Logger,
    openedAt: number,
  ) {
    this.journal = journal;
    this.writer = new JournalWriter(journal, policy);
    this.ledger = ledger;
    this.metrics = metrics;
    this.logger = logger;
    this.nextReadSeq = journal.headSeq;
    if (journal.unacked > 0)
      this.placed.push({
        seq: journal.headSeq + journal.unacked - 1,
        doneTicket: ledger.acceptEarlier(),
        acceptedAt: openedAt,
      });
  }

  /** Nothing left to send: every record acknowledged and no write waiting for room. */
  get drained(): boolean {
    return (
      this.again === undefined &&
      this.readAhead.length === 0 &&
      this.journal.unacked === 0 &&
      this.writer.blocked === 0
    );
  }

  /** A publish in journal mode: under the overflow policy; its chunk settles once fsync'd or dropped. */
  write(chunk: Chunk): void {
    this.writer
      .write(journalPayload(chunk.messages), (seq) => {
        this.onPlaced(seq, chunk);
      })
      .then(
        (outcome) => {
          if (outcome === 'dropped') this.metrics.droppedJournalFull.inc(chunk.messages.length);
          this.ledger.settled(chunk);
        },
        (e: unknown) => {
          this.ledger.failed(chunk, e);
        },
      );
  }

  /**
   * Ticks already accepted in memory: written even past SINK_JOURNAL_MAX_BYTES, since dropping
   * them now would lose ticks the caller was told nothing about. Returns the record's number.
   */
  force(chunk: Chunk): number | undefined {
    let placedSeq: number | undefined;
    try {
      this.writer
        .force(journalPayload(chunk.messages), (seq) => {
          this.onPlaced(seq, chunk);
          placedSeq = seq;
        })
        .then(
          () => {
            this.ledger.settled(chunk);
          },
          (e: unknown) => {
            this.ledger.failed(chunk, e);
          },
        );
    } catch (e) {
      this.ledger.failed(chunk, e);
    }
    return placedSeq;
  }

  /** At close: blocked writes go in past the limit, so nothing handed to publish is lost. */
  forceBlocked(): void {
    this.writer.forceBlocked();
  }

  /** Records up to `throughSeq` reached Kafka some other way: acknowledge them unsent. */
  passOverThrough(throughSeq: number): void {
    this.skipThrough = Math.max(this.skipThrough, throughSeq);
  }

  /** The next batch of at most `maxTicks` (or one record), or undefined when none is durable yet. */
  async next(maxTicks: number): Promise<JournalBatch | undefined> {
    const again = this.again;
    this.again = undefined;
    if (again !== undefined) return again;
    for (;;) {
      if (this.readAhead.length === 0) {
        const records = await this.journal.read(this.nextReadSeq, READ_AHEAD_RECORDS);
        const last = records.at(-1);
        if (last === undefined) return undefined;
        for (const r of records) this.readAhead.push(this.decode(r));
        this.nextReadSeq = last.seq + 1;
      }
      let skipped: number | undefined;
      while ((this.readAhead[0]?.seq ?? Infinity) <= this.skipThrough) skipped = this.readAhead.shift()?.seq;
      if (skipped !== undefined) {
        await this.acknowledge(skipped);
        continue;
      }
      let count = 0;
      let ticks = 0;
      for (const r of this.readAhead) {
        if (count > 0 && ticks + r.messages.length > maxTicks) break;
        count += 1;
        ticks += r.messages.length;
      }
      const taken = this.readAhead.splice(0, count);
      return {
        lastSeq: taken.at(-1)?.seq ?? -1,
        messages: taken.length === 1 ? (taken[0]?.messages ?? []) : taken.flatMap((r) => r.messages),
      };
    }
  }

  /** Kafka did not take `batch`: `next` returns it again, as it was. */
  retry(batch: JournalBatch): void {
    this.again = batch;
  }

  async acknowledge(throughSeq: number): Promise<void> {
    await this.journal.ack(throughSeq);
    for (let p = this.placed.peek(); p !== undefined && p.seq <= throughSeq; p = this.placed.peek()) {
      this.placed.shift();
      this.ledger.delivered(p.doneTicket);
    }
    this.metrics.journalBytes.set(this.journal.bytes);
  }

  /** When the oldest unacknowledged record was accepted (an earlier run's: when this one opened). */
  oldestAcceptedAt(): number | undefined {
    return this.journal.unacked === 0 ? undefined : this.placed.peek()?.acceptedAt;
  }

  private onPlaced(seq: number, chunk: Chunk): void {
    this.placed.push({ seq, doneTicket: chunk.doneTicket, acceptedAt: chunk.acceptedAt });
    this.ledger.accepted(chunk);
    this.metrics.journalBytes.set(this.journal.bytes);
  }

  private decode(record: JournalRecord): { seq: number; messages: TickMessage[] } {
    const { messages, rejected } = messagesFromPayload(record.payload);
    if (rejected.length > 0) {
      this.metrics.droppedUndecodable.inc(rejected.length);
      this.logger.error('Tick journal record holds lines that are not ticks: dropped them', {
        seq: record.seq,
        lines: rejected.length,
        reason: rejected[0],
      });
    }
    return { seq: record.seq, messages };
  }
}
