import type { Tick } from '../../domain/tick.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { TickSink } from '../../ports/tick-sink/tick-sink.ts';
import { Fifo } from '../tick-journal/fifo.ts';
import type { TickJournal } from '../tick-journal/tick-journal.ts';
import type { MessageSender } from './connect-on-first-use.ts';
import { JournalLane } from './journal-lane.ts';
import type { KafkaBacklog, KafkaLink } from './kafka-link.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';
import { PublishLedger, type Chunk } from './publish-ledger.ts';
import { sinkMetrics, type SinkMetrics } from './sink-metrics.ts';
import { tickMessage, type TickMessage } from './tick-message.ts';
import { Wakeup } from './wakeup.ts';

/** Sends one batch to Kafka and resolves once every message is acknowledged. */
export type BatchSender = MessageSender<TickMessage>;

export class SinkClosed extends Error {
  constructor(message = 'tick sink is closed: publish refused') {
    super(message);
    this.name = 'SinkClosed';
  }
}

export interface KafkaTickSinkParts {
  readonly sender: BatchSender;
  readonly journal: TickJournal;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  /** Whether Kafka answers, and the refusal that stops the service (assemble-tick-sink.ts). */
  readonly link?: KafkaLink;
}

interface InFlight {
  readonly chunks: Chunk[];
  readonly ticks: number;
  /** Set when the batch was copied to the journal while in flight: the last record it took. */
  spilledThrough: number | undefined;
}

const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5000;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The TickSink in front of Kafka. One loop sends one batch at a time, so batches reach Kafka in
 * the order ticks were accepted, and nothing waits on Kafka forever:
 *
 * - `memory` mode: publishes queue in memory (at most SINK_MEMORY_MAX_TICKS) and resolve when Kafka
 *   acknowledges them; a batch goes out at KAFKA_BATCH_MAX_TICKS ticks or after KAFKA_BATCH_MAX_MS.
 * - When a send fails, the queue would overflow, or a tick has waited SINK_SPILL_AFTER_MS, the sink
 *   enters `journal` mode: the batch in flight and the queue are written to the journal, in order,
 *   and so is every later publish until the journal is drained. A publish then resolves once its
 *   record is fsync'd. The loop sends the journal's records oldest first and acknowledges them;
 *   once every record is acknowledged it returns to `memory` mode. Because new ticks never bypass
 *   the journal, one token's ticks cannot overtake each other.
 * - A journal left by an earlier run (a crash, a close before Kafka came back) is drained before
 *   any new tick, since the sink starts in `journal` mode when it holds records.
 *
 * Duplicates, never losses: a batch whose acknowledgement was lost, or a journal record sent just
 * before a crash, can reach Kafka twice; every message carries a `tick-id` header for consumers.
 */
export class KafkaTickSink implements TickSink {
  readonly link: KafkaLink | undefined;
  private readonly settings: KafkaSinkSettings;
  private readonly sender: BatchSender;
  private readonly journal: TickJournal;
  private readonly lane: JournalLane;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly metrics: SinkMetrics;
  private readonly ledger = new PublishLedger();
  private readonly wakeup = new Wakeup();
  private readonly queue = new Fifo<Chunk>();
  private readonly timer: NodeJS.Timeout;
  private readonly pump: Promise<void>;
  private mode: 'memory' | 'journal';
  private queuedTicks = 0;
  private inflight: InFlight | undefined;
  private backoffMs = 0;
  private failing = false;
  private closed = false;
  private stopped = false;
  private stopPause: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(settings: KafkaSinkSettings, parts: KafkaTickSinkParts) {
    this.settings = settings;
    this.link = parts.link;
    this.sender = parts.sender;
    this.journal = parts.journal;
    this.logger = parts.logger;
    this.clock = parts.clock;
    this.metrics = sinkMetrics(parts.metrics);
    this.metrics.journalLimitBytes.set(settings.journal.maxBytes);
    // An earlier run's journal counts as accepted now: flush and close wait for it too.
    this.lane = new JournalLane(
      parts.journal,
      settings.overflowPolicy,
      this.ledger,
      this.metrics,
      this.logger,
      this.clock.now(),
    );
    this.journal.onChange(() => {
      this.wakeup.notify();
    });
    const { recovery } = parts.journal;
    if (recovery.truncatedRecords > 0) {
      this.metrics.tornRecords.inc(recovery.truncatedRecords);
      this.logger.warn('Tick journal ended in a torn record (a crash mid-write); truncated it', {
        records: recovery.truncatedRecords,
        bytes: recovery.truncatedBytes,
      });
    }
    this.mode = parts.journal.unacked > 0 ? 'journal' : 'memory';
    if (this.mode === 'journal')
      this.logger.info('Tick journal holds ticks from an earlier run: sending them before new ticks', {
        records: recovery.records,
        bytes: recovery.bytes,
      });
    this.updateGauges();
    const tickMs = Math.min(1000, Math.max(20, Math.floor(settings.spillAfterMs / 4)));
    this.timer = setInterval(() => {
      this.onTimer();
    }, tickMs);
    this.timer.unref();
    this.pump = this.run();
  }

  publish(batch: readonly Tick[]): Promise<void> {
    if (this.closed) return Promise.reject(new SinkClosed());
    if (batch.length === 0) return Promise.resolve();
    const { promise, resolve, reject } = Promise.withResolvers<undefined>();
    const messages = batch.map(tickMessage);
    const chunks = this.ledger.chunks(
      messages,
      this.settings.batchMaxTicks,
      this.clock.now(),
      () => {
        resolve(undefined);
      },
      reject,
    );
    if (this.mode === 'memory' && this.memoryTicks() + messages.length > this.settings.memoryMaxTicks)
      this.spill('memory queue full');
    if (this.mode === 'journal') {
      for (const chunk of chunks) this.lane.write(chunk);
      return promise;
    }
    const wasEmpty = this.queuedTicks === 0;
    for (const chunk of chunks) {
      this.queue.push(chunk);
      this.ledger.accepted(chunk);
    }
    this.queuedTicks += messages.length;
    this.metrics.queueDepth.set(this.memoryTicks());
    if (wasEmpty || this.queuedTicks >= this.settings.batchMaxTicks) this.wakeup.notify();
    return promise;
  }

  /**
   * Resolves once every tick accepted so far, including what an earlier run left in the journal,
   * is in Kafka. A publish still waiting for journal room (policy `block`) is not accepted yet.
   */
  flush(): Promise<void> {
    if (this.stopped && !this.ledger.allDelivered)
      return Promise.reject(new SinkClosed('tick sink closed before every tick reached Kafka'));
    const done = this.ledger.untilDelivered();
    this.wakeup.notify();
    return done;
  }

  /** What waits for Kafka now, for the outage notice. */
  backlog(): KafkaBacklog {
    const oldest = this.oldestUnacked();
    return {
      journalRecords: this.journal.unacked,
      journalBytes: this.journal.bytes,
      oldestAgeMs: oldest === undefined ? 0 : Math.max(0, this.clock.now() - oldest),
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.wakeup.notify();
    let timer: NodeJS.Timeout | undefined;
    const delivered = await Promise.race([
      this.ledger.untilDelivered().then(
        () => true,
        () => false,
      ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), this.settings.closeTimeoutMs);
      }),
      // Kafka refused the topic: nothing more will be delivered, so close keeps the journal at once.
      ...(this.link === undefined ? [] : [this.link.fatal.catch(() => false as const)]),
    ]);
    clearTimeout(timer);
    clearInterval(this.timer);
    this.stopped = true;
    this.wakeup.notify();
    this.stopPause?.();
    // What Kafka has not taken goes to the journal, for the next start to send.
    if (this.mode === 'memory' && this.memoryTicks() > 0) this.spill('closing');
    this.lane.forceBlocked();
    await this.sender.close().catch((e: unknown) => {
      this.logger.warn('Kafka producer did not disconnect cleanly', { error: message(e) });
    });
    await this.pump;
    await this.journal.close();
    this.ledger.rejectWaiters(new SinkClosed('tick sink closed before every tick reached Kafka'));
    this.updateGauges();
    this.logger.info('Tick sink closed', {
      flushed: delivered,
      journalRecords: this.journal.unacked,
      journalBytes: this.journal.bytes,
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.mode === 'memory') await this.sendFromMemory();
        else await this.sendFromJournal();
      } catch (e) {
        // A broken journal or a bug: report it and keep going rather than stop taking ticks silently.
        this.logger.error('Tick sink loop failed', { error: message(e) });
        await this.pause(BACKOFF_MAX_MS);
      }
    }
  }

  private async sendFromMemory(): Promise<void> {
    const head = this.queue.peek();
    if (head === undefined) {
      await this.wakeup.wait();
      return;
    }
    const lingerLeft = head.acceptedAt + this.settings.batchMaxMs - this.clock.now();
    const urgent = this.closed || this.ledger.waiting;
    if (this.queuedTicks < this.settings.batchMaxTicks && lingerLeft > 0 && !urgent) {
      await this.wakeup.wait(lingerLeft);
      return;
    }
    const chunks: Chunk[] = [];
    let ticks = 0;
    for (let c = this.queue.peek(); c !== undefined; c = this.queue.peek()) {
      if (ticks > 0 && ticks + c.messages.length > this.settings.batchMaxTicks) break;
      this.queue.shift();
      chunks.push(c);
      ticks += c.messages.length;
    }
    this.queuedTicks -= ticks;
    const inflight: InFlight = { chunks, ticks, spilledThrough: undefined };
    this.inflight = inflight;
    const ok = await this.send(
      chunks.length === 1 ? (chunks[0]?.messages ?? []) : chunks.flatMap((c) => c.messages),
    );
    if (ok) {
      for (const c of chunks) {
        this.ledger.delivered(c.doneTicket);
        this.ledger.settled(c);
      }
      // Spilled while in flight, then delivered: the drain skips the journal's copy.
      if (inflight.spilledThrough !== undefined) this.lane.passOverThrough(inflight.spilledThrough);
    } else if (inflight.spilledThrough === undefined) this.spill('Kafka send failed');
    this.inflight = undefined;
    this.updateGauges();
  }

  private async sendFromJournal(): Promise<void> {
    if (this.lane.drained) {
      this.mode = 'memory';
      this.logger.info('Tick journal drained: publishing straight to Kafka again');
      this.updateGauges();
      return;
    }
    const batch = await this.lane.next(this.settings.batchMaxTicks);
    if (batch === undefined) {
      // Nothing durable to read yet: the journal wakes us when its next group is fsync'd.
      await this.wakeup.wait(1000);
      return;
    }
    if (batch.messages.length === 0 || (await this.send(batch.messages))) {
      this.backoffMs = 0;
      await this.lane.acknowledge(batch.lastSeq);
      this.updateGauges();
      return;
    }
    this.lane.retry(batch);
    this.backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, this.backoffMs * 2));
    await this.pause(this.backoffMs);
  }

  private async send(messages: TickMessage[]): Promise<boolean> {
    const started = performance.now();
    try {
      await this.sender.send(messages);
    } catch (e) {
      this.metrics.batchesFailed.inc();
      if (!this.failing)
        this.logger.warn('Kafka send failed: retrying, with ticks kept in the local journal meanwhile', {
          error: message(e),
        });
      this.failing = true;
      return false;
    }
    this.metrics.latency.observe((performance.now() - started) / 1000);
    this.metrics.batchesOk.inc();
    this.metrics.published.inc(messages.length);
    if (this.failing) this.logger.info('Kafka accepts ticks again');
    this.failing = false;
    return true;
  }

  /** Switches to journal mode, moving the batch in flight and the memory queue there, in order. */
  private spill(reason: string): void {
    if (this.mode === 'journal') return;
    this.mode = 'journal';
    this.logger.warn('Kafka is slow or down: ticks go to the local journal until it catches up', {
      reason,
      ticks: this.memoryTicks(),
    });
    const inflight = this.inflight;
    if (inflight !== undefined)
      for (const c of inflight.chunks)
        inflight.spilledThrough = this.lane.force(c) ?? inflight.spilledThrough;
    for (const c of this.queue.drain()) this.lane.force(c);
    this.queuedTicks = 0;
    this.updateGauges();
    this.wakeup.notify();
  }

  private onTimer(): void {
    const now = this.clock.now();
    const oldest = this.oldestUnacked();
    if (this.mode === 'memory' && oldest !== undefined && now - oldest > this.settings.spillAfterMs)
      this.spill(`no Kafka acknowledgement for ${now - oldest} ms`);
    this.metrics.oldestUnackedAge.set(oldest === undefined ? 0 : Math.max(0, now - oldest) / 1000);
  }

  private oldestUnacked(): number | undefined {
    if (this.mode === 'memory') return this.inflight?.chunks[0]?.acceptedAt ?? this.queue.peek()?.acceptedAt;
    return this.lane.oldestAcceptedAt();
  }

  private memoryTicks(): number {
    return this.queuedTicks + (this.inflight?.ticks ?? 0);
  }

  private updateGauges(): void {
    this.metrics.queueDepth.set(this.mode === 'memory' ? this.memoryTicks() : 0);
    this.metrics.journalBytes.set(this.journal.bytes);
    this.metrics.spilling.set(this.mode === 'journal' ? 1 : 0);
  }

  /** Sleeps `ms`, or less if the sink stops meanwhile. */
  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.stopPause = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopPause = done;
    });
  }
}
