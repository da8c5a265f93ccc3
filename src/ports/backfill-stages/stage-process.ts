import type { ServiceIdentifier } from 'inversify';
import type { ParentMessage } from './stage-messages.ts';
import type { StageName } from './stage-names.ts';

export interface StageExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/**
 * The parent's handle on one stage process. Messages arrive raw: the supervisor decodes them.
 * A forked child in production; the same stage code in-process in tests.
 */
export interface StageProcess {
  readonly pid: number | undefined;
  /** False when the channel is closed (the process is gone or going). */
  send(message: ParentMessage): boolean;
  onMessage(listener: (raw: unknown) => void): void;
  /** Called once, when the process has ended. */
  onExit(listener: (exit: StageExit) => void): void;
  /** SIGKILL: for a hung process, or one that would not stop. */
  kill(): void;
}

/** Starts a stage process that sends a heartbeat every `heartbeatMs`. */
export type StageLauncher = (stage: StageName, heartbeatMs: number) => StageProcess;
export const StageLauncherId: ServiceIdentifier<StageLauncher> = Symbol.for('tickflow.StageLauncher');

export const describeExit = (exit: StageExit): string =>
  exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
