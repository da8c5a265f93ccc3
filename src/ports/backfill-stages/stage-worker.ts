import type { Logger } from '../logger/logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ChildMessage, ParentMessage } from './stage-messages.ts';

/**
 * What a stage process runs (the fetch or the publish stage's work), hosted by whatever carries
 * the messages: a forked process's IPC loop, or the in-process stand-in. It takes the parent's
 * work messages and is closed at the end.
 */
export interface StageWorker {
  handle(message: Exclude<ParentMessage, { type: 'stop' }>): void;
  /** Stops work and releases what the stage holds (the sink flushes here). */
  close(): Promise<void>;
}

/** The stage cannot work at all, and a restart would not change that (settings, refused login). */
export class StageFatal extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StageFatal';
  }
}

/** What the host gives a stage's worker: its metrics and logger, the way back to the parent, its end. */
export interface StageChildContext {
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly send: (message: ChildMessage) => void;
  /** Ends the process after a fatal report: no restart will help. */
  readonly fatal: (reason: string) => void;
  /** Ends the process after a bug: exit code 1, and the parent restarts the stage. */
  readonly crash: (error: unknown) => void;
}

/** Exit codes a stage process uses, so the parent's log says what happened. */
export const STAGE_EXIT = { ok: 0, crashed: 1, fatal: 3, usage: 64 } as const;
