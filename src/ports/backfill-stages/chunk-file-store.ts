import type { ServiceIdentifier } from 'inversify';
import type { ChunkId } from '../../domain/backfill-plan-chunks.ts';
import type { PlanId } from '../../domain/backfill-plan-types.ts';
import type { Candle } from '../../domain/candle.ts';

/**
 * Where the fetch stage leaves a chunk's candles for the publish stage: one data file per chunk,
 * named by its plan and chunk. A file exists only once it is complete (`write` leaves the whole
 * file or none), so after a crash a chunk whose file exists need not be fetched again. Files are
 * named by absolute paths, which travel in the stage messages.
 */
export interface ChunkFileStore {
  /** The data file of a chunk of a plan. */
  fileOf(plan: PlanId, chunk: ChunkId): string;
  exists(file: string): Promise<boolean>;
  /** Writes the candles as the complete file `file`, or leaves no file at all. */
  write(file: string, candles: readonly Candle[]): Promise<void>;
  /** Reads a file back, every line checked; rejects with `CandleFileCorrupted` if any is bad. */
  read(file: string): Promise<readonly Candle[]>;
  /** Deletes one file (an unreadable one); no error when it is not there. */
  remove(file: string): Promise<void>;
  /** Deletes a finished plan's files: what they held is in the sink. */
  removePlan(plan: PlanId): Promise<void>;
}
export const ChunkFileStoreId: ServiceIdentifier<ChunkFileStore> = Symbol.for('tickflow.ChunkFileStore');

/** A data file that does not read back as candles: the chunk must be fetched again. */
export class CandleFileCorrupted extends Error {
  override readonly name = 'CandleFileCorrupted';
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
  }
}
