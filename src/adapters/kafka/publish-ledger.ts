import type { TickMessage } from './tick-message.ts';

/** One `publish` call: resolves once every chunk is durable, rejects at the first that cannot be. */
interface Job {
  remaining: number;
  failed: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A run of one publish's ticks, at most one Kafka batch long. Publishes are numbered by tickets;
 * `doneTicket` is the ticket flush may count as delivered once this chunk is in Kafka: the
 * publish's own ticket for its last chunk, the one before for the others.
 */
export interface Chunk {
  readonly job: Job;
  readonly messages: TickMessage[];
  readonly acceptedAt: number;
  readonly doneTicket: number;
  durable: boolean;
}

/**
 * Settles publishes and flushes. Ticks reach Kafka in the order they were accepted (memory and
 * journal are one queue: see KafkaTickSink), so "delivered up to ticket t" is one number.
 */
export class PublishLedger {
  private tickets = 0;
  private acceptedTicket = 0;
  private deliveredTicket = 0;
  private waiters: { target: number; resolve: () => void; reject: (e: unknown) => void }[] = [];

  /** Numbers a publish and cuts it into chunks of at most `maxTicks`. */
  chunks(
    messages: TickMessage[],
    maxTicks: number,
    acceptedAt: number,
    resolve: () => void,
    reject: (error: unknown) => void,
  ): Chunk[] {
    const ticket = ++this.tickets;
    const count = Math.ceil(messages.length / maxTicks);
    const job: Job = { remaining: count, failed: false, resolve, reject };
    if (count === 1) return [{ job, messages, acceptedAt, doneTicket: ticket, durable: false }];
    const out: Chunk[] = [];
    for (let i = 0; i < count; i++)
      out.push({
        job,
        messages: messages.slice(i * maxTicks, (i + 1) * maxTicks),
        acceptedAt,
        doneTicket: i === count - 1 ? ticket : ticket - 1,
        durable: false,
      });
    return out;
  }

  /** Numbers what an earlier run left in the journal, accepted now: flushes wait for it too. */
  acceptEarlier(): number {
    this.acceptedTicket = ++this.tickets;
    return this.acceptedTicket;
  }

  /** The chunk is in the memory queue or placed in the journal: flushes from now on wait for it. */
  accepted(chunk: Chunk): void {
    if (chunk.doneTicket > this.acceptedTicket) this.acceptedTicket = chunk.doneTicket;
  }

  /** The chunk is durable (in Kafka or fsync'd in the journal), or dropped by policy. */
  settled(chunk: Chunk): void {
    if (chunk.durable) return;
    chunk.durable = true;
    const job = chunk.job;
    if (job.failed) return;
    job.remaining -= 1;
    if (job.remaining === 0) job.resolve();
  }

  failed(chunk: Chunk, error: unknown): void {
    if (chunk.job.failed) return;
    chunk.job.failed = true;
    chunk.job.reject(error);
  }

  /** Everything up to `doneTicket` is in Kafka. */
  delivered(doneTicket: number): void {
    if (doneTicket <= this.deliveredTicket) return;
    this.deliveredTicket = doneTicket;
    if (this.waiters.length === 0) return;
    const still = [];
    for (const w of this.waiters) {
      if (w.target <= doneTicket) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  get allDelivered(): boolean {
    return this.deliveredTicket >= this.acceptedTicket;
  }

  /** Resolves once every chunk accepted so far is in Kafka. */
  untilDelivered(): Promise<void> {
    const target = this.acceptedTicket;
    if (this.deliveredTicket >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ target, resolve, reject });
    });
  }

  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  rejectWaiters(error: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
  }
}
