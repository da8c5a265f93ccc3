import type { FeedGap } from '../../domain/feed-events.ts';
import {
  checkpointOf,
  downtimesAfter,
  gapOfDowntime,
  laterDowntime,
  type Downtime,
  type PreviousRun,
} from '../../domain/gap-downtime.ts';
import type { InstrumentToken } from '../../domain/instrument.ts';
import { tickTime, type Tick } from '../../domain/tick.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Metrics } from '../../ports/metrics.ts';
import type { RunCheckpointStore } from '../../ports/run-checkpoint.ts';
import type { TickSink } from '../../ports/tick-sink/tick-sink.ts';

export interface DowntimeSettings {
  /** The instruments this run follows. */
  readonly tokens: readonly InstrumentToken[];
  /** How often the checkpoint is written while ticks are accepted: after a crash, the most a gap's start may lag. */
  readonly intervalMs: number;
}

export interface DowntimeDeps {
  readonly store: RunCheckpointStore;
  /** The gap ledger: resolves true once the gap is on record, false when it could not be written. */
  readonly openGap: (gap: FeedGap) => Promise<boolean>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * In a cluster: the shared checkpoint, handed each token's last accepted tick at every periodic
   * write (not the clean stop's: by then the group has the shards elsewhere).
   */
  readonly shared?: (lastAccepted: ReadonlyMap<InstrumentToken, EpochMs>, writtenAt: EpochMs) => void;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The time no tickflow ran, on record. At start it reads what the previous run left (each token's
 * last accepted tick, and whether it stopped cleanly); each token's first tick handed to the sink
 * in this run then opens its `process-down` or `stopped` gap in the ledger. While the service runs
 * it writes the checkpoint every `intervalMs` (ticks count once the sink resolved their publish:
 * in Kafka or in the journal), and once more with `stoppedCleanly` at a clean stop. A downtime
 * whose gap is not on record yet stays in the checkpoint, so a crash before it is written loses
 * nothing: the next run opens it, from the same start.
 */
export class DowntimeRecorder {
  private readonly deps: DowntimeDeps;
  private readonly intervalMs: number;
  /**
   * Newest accepted tick time per token; seeded from the previous run, so a token quiet here keeps
   * its place. A slot per token, changed in place: folding a batch sets no Map entry per tick.
   */
  private readonly lastAccepted = new Map<InstrumentToken, { at: EpochMs }>();
  /** The instruments followed now: a tick of one just removed (still in flight) moves no checkpoint. */
  private readonly followed: Set<InstrumentToken>;
  /** Every instrument followed at some point of this run: the previous run's downtime is opened once. */
  private readonly everFollowed: Set<InstrumentToken>;
  /** Failovers of shards just gained, until `follow` adds their tokens (see expectFailovers). */
  private readonly failovers = new Map<InstrumentToken, Downtime>();
  /** Batches the sink accepted since the last fold: the hot path only keeps them, the checkpoint folds them. */
  private accepted: (readonly Tick[])[] = [];
  private readonly previous: PreviousRun;
  /** Downtimes whose gap is not on record yet. */
  private readonly unrecorded: Map<InstrumentToken, Downtime>;
  /** Downtimes still waiting for their token's first tick of this run. */
  private readonly waiting: Map<InstrumentToken, Downtime>;
  private readonly opening = new Set<Promise<void>>();
  private dirty = true;
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly writeFailures: Counter;

  private constructor(deps: DowntimeDeps, settings: DowntimeSettings, previous: PreviousRun) {
    this.deps = deps;
    this.intervalMs = settings.intervalMs;
    this.previous = previous;
    this.followed = new Set(settings.tokens);
    this.everFollowed = new Set(settings.tokens);
    if (previous.kind === 'checkpoint')
      for (const [token, entry] of previous.checkpoint.tokens)
        if (this.followed.has(token)) this.lastAccepted.set(token, { at: entry.lastAcceptedAt });
    this.unrecorded = new Map(downtimesAfter(previous, settings.tokens));
    this.waiting = new Map(this.unrecorded);
    this.writeFailures = deps.metrics.counter(
      'run_checkpoint_failures_total',
      'Run checkpoints (last accepted tick per token) that could not be read or written',
    );
  }

  /**
   * Reads the previous run's checkpoint and writes this run's at once (not stopped cleanly): from
   * here on, a crash of this run is told apart from the previous run's clean stop.
   */
  static async start(deps: DowntimeDeps, settings: DowntimeSettings): Promise<DowntimeRecorder> {
    const previous = await deps.store.read();
    const recorder = new DowntimeRecorder(deps, settings, previous);
    recorder.reportPrevious(previous);
    await recorder.write(false);
    recorder.timer = setInterval(() => {
      if (recorder.dirty) void recorder.write(false);
    }, settings.intervalMs);
    recorder.timer.unref();
    return recorder;
  }

  /** The sink as the ingest loop should see it: first ticks open downtime gaps; resolved publishes move the checkpoint. */
  watch(sink: TickSink): TickSink {
    return {
      publish: async (batch) => {
        if (this.waiting.size > 0) this.firstTicks(batch);
        await sink.publish(batch);
        this.accepted.push(batch);
        this.dirty = true;
      },
      flush: () => sink.flush(),
      close: () => sink.close(),
    };
  }

  /**
   * Instruments added to or removed from the running feed. An added one that the previous run
   * followed gets its downtime as the others did at start (opened at its first tick); a removed
   * one leaves the checkpoint, so a later run that follows it again opens nothing for it. A
   * downtime already waiting for the ledger stays: it happened.
   */
  follow(added: readonly InstrumentToken[], removed: readonly InstrumentToken[]): void {
    this.fold();
    for (const token of removed) {
      this.followed.delete(token);
      this.lastAccepted.delete(token);
      this.waiting.delete(token);
    }
    const fresh = added.filter((t) => !this.lastAccepted.has(t) && !this.waiting.has(t));
    const downtimes = downtimesAfter(
      this.previous,
      fresh.filter((t) => !this.everFollowed.has(t)),
    );
    for (const token of fresh) {
      const failover = this.failovers.get(token);
      const local = downtimes.get(token);
      const downtime = failover === undefined ? local : laterDowntime(local, failover);
      if (downtime === undefined) continue;
      this.unrecorded.set(token, downtime);
      this.waiting.set(token, downtime);
    }
    for (const token of added) {
      this.followed.add(token);
      this.everFollowed.add(token);
      this.failovers.delete(token);
    }
    this.dirty = true;
  }

  /**
   * The previous owners' last accepted ticks of shards this instance is about to follow (read from
   * the cluster's shared checkpoint before their tokens are added): each token then opens a
   * `failover` gap at its first tick here, unless the hand-over was short (gapOfDowntime). Of
   * this run's own downtime and the failover, the later start wins.
   */
  expectFailovers(downtimes: ReadonlyMap<InstrumentToken, Downtime>): void {
    for (const [token, downtime] of downtimes) this.failovers.set(token, downtime);
  }

  /** Downtimes still waiting for their token's first tick, for status and tests. */
  waitingTokens(): InstrumentToken[] {
    return [...this.waiting.keys()];
  }

  /** Resolves when every gap asked for so far is on record or has failed (tests). */
  async settled(): Promise<void> {
    await Promise.all(this.opening);
  }

  /**
   * A clean stop, after the sink settled every publish: writes the checkpoint with
   * `stoppedCleanly`, so the next run opens `stopped` gaps. A gap still being written (a Kafka
   * event log that does not answer) is not waited for: it stays in the checkpoint, for the next run.
   */
  async stop(): Promise<void> {
    this.close();
    await this.write(true);
  }

  /** Stops the timer without a last word: the start failed, or the next start should see a crash. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private firstTicks(batch: readonly Tick[]): void {
    for (const tick of batch) {
      const downtime = this.waiting.get(tick.token);
      if (downtime === undefined) continue;
      this.waiting.delete(tick.token);
      const gap = gapOfDowntime(tick.token, downtime, tickTime(tick));
      if (gap !== undefined) this.open(tick.token, gap);
      else {
        this.unrecorded.delete(tick.token);
        this.dirty = true;
      }
    }
  }

  private open(token: InstrumentToken, gap: FeedGap): void {
    const opening = this.deps
      .openGap(gap)
      .catch(() => false)
      .then((onRecord) => {
        // Not on record: the checkpoint keeps the downtime, and the next run opens it.
        if (!onRecord) return;
        this.unrecorded.delete(token);
        this.dirty = true;
      })
      .finally(() => this.opening.delete(opening));
    this.opening.add(opening);
  }

  /** Moves the batches accepted since the last fold into each token's newest accepted tick time. */
  private fold(): void {
    const batches = this.accepted;
    if (batches.length === 0) return;
    this.accepted = [];
    for (const batch of batches)
      for (const tick of batch) {
        if (!this.followed.has(tick.token)) continue;
        const at = tickTime(tick);
        const last = this.lastAccepted.get(tick.token);
        if (last === undefined) this.lastAccepted.set(tick.token, { at });
        else if (at > last.at) last.at = at;
      }
  }

  /** One write at a time, in order; a failed write is logged and counted, and the next one tries again. */
  private write(stoppedCleanly: boolean): Promise<void> {
    this.dirty = false;
    this.fold();
    const lastAccepted = new Map<InstrumentToken, EpochMs>();
    for (const [token, last] of this.lastAccepted) lastAccepted.set(token, last.at);
    const writtenAt = this.deps.clock.now();
    if (!stoppedCleanly) this.deps.shared?.(lastAccepted, writtenAt);
    const checkpoint = checkpointOf({
      writtenAt,
      stoppedCleanly,
      lastAccepted,
      unrecorded: this.unrecorded,
    });
    this.writing = this.writing.then(() =>
      this.deps.store.write(checkpoint).catch((e: unknown) => {
        this.dirty = true;
        this.writeFailures.inc();
        this.deps.logger.error('Could not write the run checkpoint', { error: errorText(e) });
      }),
    );
    return this.writing;
  }

  private reportPrevious(previous: PreviousRun): void {
    const { logger } = this.deps;
    switch (previous.kind) {
      case 'first-run':
        logger.info('No run checkpoint: a first run opens no downtime gap');
        return;
      case 'unreadable':
        this.writeFailures.inc();
        logger.error(
          'The run checkpoint is unreadable; every instrument gets a process-down gap from its last write',
          {
            reason: previous.reason,
            modifiedAt: new Date(previous.modifiedAt).toISOString(),
          },
        );
        return;
      case 'checkpoint':
        logger.info(
          previous.checkpoint.stoppedCleanly
            ? 'The previous run stopped cleanly; its downtime is recorded as stopped gaps'
            : 'The previous run did not stop cleanly; its downtime is recorded as process-down gaps',
          {
            instruments: this.unrecorded.size,
            checkpointAt: new Date(previous.checkpoint.writtenAt).toISOString(),
          },
        );
    }
  }
}
