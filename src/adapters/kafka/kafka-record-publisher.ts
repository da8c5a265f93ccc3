import type { Message } from 'kafkajs';
import type { Logger } from '../../ports/logger.ts';
import type { Counter, Gauge, Metrics } from '../../ports/metrics.ts';
import type { ControlRecord, RecordPublisher } from '../../ports/record-publisher.ts';
import type { KafkaBatchSender } from './kafka-batch-sender.ts';

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
}

export class RecordsNotDelivered extends Error {
  constructor(topic: string, count: number, why: string) {
    super(`${count} record(s) for ${topic} not delivered: ${why}`);
    this.name = 'RecordsNotDelivered';
  }
}

/**
 * Control records (quarantined ticks, gaps, candles) to one Kafka topic through an idempotent
 * producer with acks=-1 (`KafkaBatchSender`). Records wait in memory, in order, and a failed send
 * is retried with backoff until it succeeds or `close` gives up: a record that leaves without being
 * acknowledged is counted in `control_records_failed_total{topic}` and its promise rejects. There
 * is no disk journal here: these topics are small next to `market_ticks`, and the count says when
 * an outage outlasted the close.
 */
export class KafkaRecordPublisher implements RecordPublisher {
  private readonly sender: KafkaBatchSender;
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

  constructor(
    sender: KafkaBatchSender,
    settings: RecordPublisherSettings,
    deps: { readonly logger: Logger; readonly metrics: Metrics },
  ) {
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
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.pending += records.length;
      this.pendingGauge.set(this.pending);
      this.pump ??= this.drain().finally(() => {
        this.pump = undefined;
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const timer = setTimeout(() => this.giveUp.abort(), this.settings.closeTimeoutMs);
    try {
      await this.pump;
    } finally {
      clearTimeout(timer);
      this.failRemaining('not acknowledged before close');
      await this.sender.close().catch(() => undefined);
    }
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.queue.length > 0 && !this.giveUp.signal.aborted) {
      const batch = this.nextBatch();
      const messages: Message[] = batch.flatMap((e) =>
        e.records.map((r) => ({ key: r.key, value: r.value })),
      );
      try {
        await this.sender.send(messages);
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
      this.pending -= messages.length;
      this.pendingGauge.set(this.pending);
      this.published.inc(messages.length);
      for (const e of batch) e.resolve();
    }
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
