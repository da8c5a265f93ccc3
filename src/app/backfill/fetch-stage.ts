import type { HistoricalData } from '../../ports/historical-data.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { CandleFileCorrupted, type ChunkFileStore } from '../../ports/backfill-stages/chunk-file-store.ts';
import type { ChildMessage, FetchItem } from '../../ports/backfill-stages/stage-messages.ts';
import { StageWorkQueue } from './stage-work-queue.ts';

/**
 * What a failed fetch means: `retry` (the plan tries the chunk again later), `give-up` (trying
 * again cannot help, e.g. an unknown instrument), `fatal` (no chunk can succeed: bad credentials;
 * the stage stops rather than hammer the broker's login).
 */
export type FetchFailure = 'retry' | 'give-up' | 'fatal';

export interface FetchStageDeps {
  readonly historical: HistoricalData;
  readonly files: ChunkFileStore;
  readonly logger: Logger;
  readonly classify: (error: unknown) => FetchFailure;
  readonly send: (message: ChildMessage) => void;
  /** Called once after a fatal failure was reported; the process exits next. */
  readonly onFatal: (reason: string) => void;
  /** A bug: the stage cannot go on (the process exits non-zero, and is restarted). */
  readonly onCrash: (error: unknown) => void;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The fetch stage: downloads each chunk it is given, one at a time (the broker's rate limit makes
 * parallel requests pointless), into the chunk's data file, and reports it. A chunk whose complete
 * file is already there (written before a crash) is reported from the file without a request.
 */
export class FetchStage {
  private readonly deps: FetchStageDeps;
  private readonly work: StageWorkQueue<FetchItem>;

  constructor(deps: FetchStageDeps) {
    this.deps = deps;
    this.work = new StageWorkQueue((item, signal) => this.fetch(item, signal), deps.onCrash);
  }

  enqueue(items: readonly FetchItem[]): void {
    this.work.push(items);
  }

  /** Abandons the chunk in hand (its file is not written) and stops. */
  stop(): Promise<void> {
    return this.work.stop();
  }

  private async fetch(item: FetchItem, signal: AbortSignal): Promise<void> {
    const { chunk, file } = item;
    const cached = await this.readExisting(file);
    if (cached !== undefined) {
      this.deps.send({ type: 'chunk-fetched', chunkId: chunk.id, bars: cached });
      return;
    }
    try {
      const candles = await this.deps.historical.candles(
        {
          token: chunk.token,
          exchange: item.exchange,
          interval: chunk.interval,
          from: chunk.from,
          to: chunk.to,
        },
        signal,
      );
      if (signal.aborted) return;
      await this.deps.files.write(file, candles);
      this.deps.send({ type: 'chunk-fetched', chunkId: chunk.id, bars: candles.length });
    } catch (e) {
      if (signal.aborted) return;
      const failure = this.deps.classify(e);
      const reason = messageOf(e);
      if (failure === 'fatal') {
        this.deps.send({ type: 'fatal', reason });
        this.deps.onFatal(reason);
        return;
      }
      this.deps.logger.warn('Chunk fetch failed', {
        chunk: chunk.id,
        retryable: failure === 'retry',
        reason,
      });
      this.deps.send({ type: 'chunk-failed', chunkId: chunk.id, retryable: failure === 'retry', reason });
    }
  }

  /** The bar count of a complete data file, or undefined when there is none (or it is unreadable). */
  private async readExisting(file: string): Promise<number | undefined> {
    try {
      return (await this.deps.files.read(file)).length;
    } catch (e) {
      if (e instanceof CandleFileCorrupted) {
        this.deps.logger.warn('Unreadable chunk file; fetching the chunk again', { file, reason: e.message });
        await this.deps.files.remove(file);
      }
      return undefined;
    }
  }
}
