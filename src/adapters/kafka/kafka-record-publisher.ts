import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Gauge, Metrics } from '../../ports/metrics.ts';
import type { ControlRecord, RecordPublisher } from '../../ports/record-publisher.ts';
import type { TickJournal } from '../tick-journal/tick-journal.ts';
import { decodeControlRecords, encodeControlRecords } from './control-record-codec.ts';
import type { MessageSender } from './connect-on-first-use.ts';
import type { KafkaRecord } from './kafka-record.ts';
import { HEADER_SCHEMA_VERSION } from './tick-message.ts';

export interface RecordPublisherSettings {
  readonly topic: string;
  /** Records waiting for Kafka at most; beyond it `publish` refuses (counted), so memory stays bounded. */
  readonly maxPending: number;
  readonly maxRecordsPerSend: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** How long `close` keeps retrying what is still pending. */
  readonly closeTimeoutMs: number;
}

export const DEFAULT_RECORD_PUBLISHER = {
  maxPending: 100_000,
  maxRecordsPerSend: 500,
  retryDelayMs: 200,
  maxRetryDelayMs: 5000,
  closeTimeoutMs: 10_000,
} as const;

interface Entry {
  readonly records: readonly ControlRecord[];
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  /** Where the journal holds it, and when it is on disk; absent without a journal. */
  readonly placed?: { readonly seq: number; readonly durable: Promise<void> };
}

const noop = (): void => undefined;

/** A control record as Kafka takes it: its schema version travels as a header, as a tick's does. */
const controlMessage = (r: ControlRecord): KafkaRecord => ({
  key: r.key,
  value: r.value,
  headers: { [HEADER_SCHEMA_VERSION]: String(r.schemaVersion) },
});

export class RecordsNotDelivered extends Error {
  constructor(topic: string, count: number, why: string) {
    super(`${count} record(s) for ${topic} not delivered: ${why}`);
    this.name = 'RecordsNotDelivered';
  }
}

/**
 * Control records (quarantined ticks, gaps, candles) to one Kafka topic through an idempotent
 * producer with acks=-1 (a `KafkaBatchSender`, perhaps connecting on first use). Records wait in order, and a failed send is retried
 * with backoff until it succeeds or `close` gives up.
 *
 * With a journal, every accepted publish is also written to disk first (one journal record per
 * call) and acknowledged there once Kafka has it: what `close` could not deliver, or a crash left,
 * stays in the journal and is sent first by the next run (`resumeJournal`), so the topic is at
 * least once. Without one (a replay), what leaves unacknowledged is counted in
 * `control_records_failed_total{topic}` and its promise rejects.
 */
export class KafkaRecordPublisher implements RecordPublisher {
  private readonly sender: MessageSender<KafkaRecord>;
  private readonly settings: RecordPublisherSettings;
  private readonly logger: Logger;
  private readonly published: Counter;
  private readonly failed: Counter;
  private readonly pendingGauge: Gauge;
  private readonly queue: Entry[] = [];
  private pending = 0;
  private pump: Promise<void> | undefined;
  private closing = false;
  private readonly giveUp = new AbortController();

  private readonly journal: TickJournal | undefined;

  constructor(
    sender: MessageSender<KafkaRecord>,
    settings: RecordPublisherSettings,
    deps: { readonly logger: Logger; readonly metrics: Metrics },
    journal?: TickJournal,
  ) {
    this.journal = journal;
    this.sender = sender;
    this.settings = settings;
    this.logger = deps.logger.child({ topic: settings.topic });
    const labels = { topic: settings.topic };
    this.published = deps.metrics.counter(
      'control_records_published_total',
      'Control records acknowledged by Kafka',
      labels,
    );
    this.failed = deps.metrics.counter(
      'control_records_failed_total',
      'Control records that could not be delivered (refused when full, or left at close)',
      labels,
    );
    this.pendingGauge = deps.metrics.gauge(
      'control_records_pending',
      'Control records waiting for Kafka',
      labels,
    );
  }

  publish(records: readonly ControlRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const refuse = (why: string): Promise<void> => {
      this.failed.inc(records.length);
      this.logger.error('Control records refused', { records: records.length, reason: why });
      return Promise.reject(new RecordsNotDelivered(this.settings.topic, records.length, why));
    };
    if (this.closing) return refuse('publisher closed');
    if (this.pending + records.length > this.settings.maxPending) return refuse('too many records pending');
    let placed: Entry['placed'];
    if (this.journal !== undefined) {
      let placement: ReturnType<TickJournal['append']>;
      try {
        placement = this.journal.append(encodeControlRecords(records));
      } catch (e) {
        return refuse(`journal: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (placement === 'full') return refuse('journal full');
      placed = placement;
    }
    return new Promise<void>((resolve, reject) => {
      this.enqueue({ records, resolve, reject, ...(placed === undefined ? {} : { placed }) });
    });
  }

  /**
   * Queues what the journal holds from an earlier run (not acknowledged by Kafka then), ahead of
   * anything new; returns how many records. Call once, before the first `publish`.
   */
  async resumeJournal(): Promise<number> {
    const journal = this.journal;
    if (journal === undefined || journal.unacked === 0) return 0;
    let resumed = 0;
    for (let seq = journal.headSeq; seq < journal.headSeq + journal.unacked;) {
      const batch = await journal.read(seq, 256);
      if (batch.length === 0) break;
      for (const r of batch) {
        const records = decodeControlRecords(r.payload) ?? [];
        if (records.length === 0) this.logger.warn('Skipped an unreadable journal record', { seq: r.seq });
        this.enqueue({
          records,
          resolve: noop,
          reject: noop,
          placed: { seq: r.seq, durable: Promise.resolve() },
        });
        resumed += records.length;
      }
      seq = (batch.at(-1)?.seq ?? seq) + 1;
    }
    this.logger.info('Sending control records left in the journal by the last run', { records: resumed });
    return resumed;
  }

  private enqueue(entry: Entry): void {
    this.queue.push(entry);
    this.pending += entry.records.length;
    this.pendingGauge.set(this.pending);
    this.pump ??= this.drain().finally(() => {
      this.pump = undefined;
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const timer = setTimeout(() => this.giveUp.abort(), this.settings.closeTimeoutMs);
    try {
      await this.pump;
    } finally {
      clearTimeout(timer);
      if (this.journal === undefined) this.failRemaining('not acknowledged before close');
      else await this.keepRemaining(this.journal);
      await this.sender.close().catch(() => undefined);
    }
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.queue.length > 0 && !this.giveUp.signal.aborted) {
      const batch = this.nextBatch();
      const messages: KafkaRecord[] = batch.flatMap((e) => e.records.map(controlMessage));
      try {
        // An unreadable journal record resumes as no record: nothing to send, only to acknowledge.
        if (messages.length > 0) await this.sender.send(messages);
      } catch (e) {
        failures += 1;
        if (failures === 1)
          this.logger.warn('Control records not yet in Kafka; retrying', {
            records: messages.length,
            error: e instanceof Error ? e.message : String(e),
          });
        await this.pause(
          Math.min(this.settings.maxRetryDelayMs, this.settings.retryDelayMs * 2 ** (failures - 1)),
        );
        continue;
      }
      if (failures > 0)
        this.logger.info('Control records delivered after retries', { attempts: failures + 1 });
      failures = 0;
      this.queue.splice(0, batch.length);
      await this.acknowledge(batch);
      this.pending -= messages.length;
      this.pendingGauge.set(this.pending);
      this.published.inc(messages.length);
      for (const e of batch) e.resolve();
    }
  }

  /** Kafka has the batch: the journal may forget it (a failure here only means a resend next run). */
  private async acknowledge(batch: readonly Entry[]): Promise<void> {
    const last = batch.at(-1)?.placed;
    if (this.journal === undefined || last === undefined) return;
    try {
      await Promise.all(batch.map((e) => e.placed?.durable ?? Promise.resolve()));
      await this.journal.ack(last.seq);
    } catch (e) {
      this.logger.warn('Could not acknowledge control records in the journal; they will be sent again', {
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }

  /** At close with a journal: what Kafka has not taken stays on disk for the next run. */
  private async keepRemaining(journal: TickJournal): Promise<void> {
    const left = this.queue.splice(0);
    const count = left.reduce((n, e) => n + e.records.length, 0);
    this.pending = 0;
    this.pendingGauge.set(0);
    try {
      await journal.close();
    } catch (e) {
      this.failed.inc(count);
      this.logger.error('Control records lost: the journal could not be closed', {
        records: count,
        error: e instanceof Error ? e.message : String(e),
      });
      for (const entry of left)
        entry.reject(new RecordsNotDelivered(this.settings.topic, count, 'journal failed'));
      return;
    }
    if (count > 0)
      this.logger.warn('Control records kept in the journal for the next start', { records: count });
    // Accepted and durable: delivered by the next run, so the callers are not told of a loss.
    for (const entry of left) entry.resolve();
  }

  /** Whole entries from the head, up to the per-send limit (at least one). */
  private nextBatch(): Entry[] {
    const batch: Entry[] = [];
    let n = 0;
    for (const e of this.queue) {
      if (batch.length > 0 && n + e.records.length > this.settings.maxRecordsPerSend) break;
      batch.push(e);
      n += e.records.length;
    }
    return batch;
  }

  private pause(ms: number): Promise<void> {
    const signal = this.giveUp.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private failRemaining(why: string): void {
    const left = this.queue.splice(0);
    const count = left.reduce((n, e) => n + e.records.length, 0);
    if (count === 0) return;
    this.pending = 0;
    this.pendingGauge.set(0);
    this.failed.inc(count);
    this.logger.error('Control records lost', { records: count, reason: why });
    for (const e of left) e.reject(new RecordsNotDelivered(this.settings.topic, count, why));
  }
}
