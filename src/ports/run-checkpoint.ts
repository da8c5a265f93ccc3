import type { PreviousRun, RunCheckpoint } from '../domain/gap-downtime.ts';

/**
 * Where a run keeps each token's last accepted tick, for the next run to bound the downtime
 * between them (src/domain/gap-downtime.ts). One writer: the service that holds DATA_DIR's lock.
 */
export interface RunCheckpointStore {
  /** What the previous run left; an unreadable checkpoint is an answer, not an error. */
  read(): Promise<PreviousRun>;
  /** Replaces the checkpoint whole: a crash mid-write leaves the old one or the new one, never a mix. */
  write(checkpoint: RunCheckpoint): Promise<void>;
}
