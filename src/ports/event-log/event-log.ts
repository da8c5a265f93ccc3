import type { ServiceIdentifier } from 'inversify';

export interface StoredEvent<E> {
  readonly stream: string;
  /** Position of the event in its stream, from 1. */
  readonly version: number;
  readonly event: E;
}

export type ExpectedVersion = number | 'any' | 'no-stream';

export class ConcurrencyConflict extends Error {
  readonly stream: string;
  readonly expected: ExpectedVersion;
  readonly actual: number;
  constructor(stream: string, expected: ExpectedVersion, actual: number) {
    super(`stream ${stream}: expected version ${String(expected)}, found ${actual}`);
    this.name = 'ConcurrencyConflict';
    this.stream = stream;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * Append-only streams of domain events. `append` with an expected version refuses (with a
 * `ConcurrencyConflict`) when the stream moved on, so two writers cannot interleave a plan.
 */
export interface EventLog<E> {
  append(
    stream: string,
    events: readonly E[],
    expected: ExpectedVersion,
  ): Promise<{ readonly version: number }>;
  read(stream: string, fromVersion?: number): Promise<readonly StoredEvent<E>[]>;
  /**
   * Makes later reads see what other processes appended since this log last read them. A log that
   * reads its storage on every use (files, memory) has nothing to do; one that keeps a copy in
   * memory (Kafka) reads its storage again. For a cluster member taking over another's streams.
   */
  refresh(): Promise<void>;
  close(): Promise<void>;
}
export const eventLogId = <E>(name: string): ServiceIdentifier<EventLog<E>> =>
  Symbol.for(`tickflow.EventLog.${name}`);
