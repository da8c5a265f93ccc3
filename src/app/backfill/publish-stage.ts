import { candleToTick } from '../../domain/candle.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { TickSink } from '../../ports/tick-sink/tick-sink.ts';
import { CandleFileCorrupted, type ChunkFileStore } from '../../ports/backfill-stages/chunk-file-store.ts';
import type { ChildMessage, PublishItem } from '../../ports/backfill-stages/stage-messages.ts';
import { StageWorkQueue } from './stage-work-queue.ts';

export interface PublishStageDeps {
  readonly sink: TickSink;
  readonly files: ChunkFileStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly send: (message: ChildMessage) => void;
  /** A bug: the stage cannot go on (the process exits non-zero, and is restarted). */
  readonly onCrash: (error: unknown) => void;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The publish stage: reads each fetched chunk's data file and hands its candles to the sink as
 * ticks (`candleToTick`: source `backfill`, seq 0, so a re-run yields the same ids; the exchange
 * the parent named for the chunk). A chunk is reported published only once `publish` resolved and
 * `flush` completed, i.e. once its ticks are in the destination itself, not merely in the sink's
 * journal. An unreadable file is deleted and reported failed, so the plan fetches the chunk again.
 */
export class PublishStage {
  private readonly deps: PublishStageDeps;
  private readonly work: StageWorkQueue<PublishItem>;

  constructor(deps: PublishStageDeps) {
    this.deps = deps;
    this.work = new StageWorkQueue((item, signal) => this.publish(item, signal), deps.onCrash);
  }

  enqueue(items: readonly PublishItem[]): void {
    this.work.push(items);
  }

  /** Finishes the chunk in hand (a publish cannot be taken back) and stops. */
  async stop(): Promise<void> {
    await this.work.stop();
  }

  private async publish(item: PublishItem, signal: AbortSignal): Promise<void> {
    const { chunkId, file, exchange } = item;
    let ticks;
    try {
      const receivedAt = this.deps.clock.now();
      ticks = (await this.deps.files.read(file)).map((c) => candleToTick(c, receivedAt, exchange));
    } catch (e) {
      if (e instanceof CandleFileCorrupted) await this.deps.files.remove(file);
      const reason = `data file unreadable: ${messageOf(e)}`;
      this.deps.logger.warn('Chunk not published', { chunk: chunkId, reason });
      this.deps.send({ type: 'chunk-failed', chunkId, retryable: true, reason });
      return;
    }
    if (signal.aborted) return;
    try {
      await this.deps.sink.publish(ticks);
      await this.deps.sink.flush();
    } catch (e) {
      const reason = `sink refused the ticks: ${messageOf(e)}`;
      this.deps.logger.warn('Chunk not published', { chunk: chunkId, reason });
      this.deps.send({ type: 'chunk-failed', chunkId, retryable: true, reason });
      return;
    }
    this.deps.send({ type: 'chunk-published', chunkId, bars: ticks.length });
  }
}
