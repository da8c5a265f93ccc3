import { either as E } from 'fp-ts';
import type { EventLog, ExpectedVersion, StoredEvent } from '../../ports/event-log/event-log.ts';
import {
  eventCodec,
  encodeEvents,
  type EventCodec,
  type EventCodecInput,
} from '../../ports/event-log/event-codec.ts';
import { EventLogClosed, EventLogCorrupted } from '../../ports/event-log/event-log-errors.ts';
import {
  checkExpected,
  checkFromVersion,
  checkStreamName,
  versionConflict,
} from '../../ports/event-log/stream-rules.ts';

/**
 * What a MemoryEventLog stores: each stream's events as JSON text. Share one between instances to
 * model reopening the same storage; tests may put a bad record in a stream to see it refused.
 */
export class MemoryEventStorage {
  readonly streams = new Map<string, string[]>();
}

/**
 * The event log in memory, held to the same contract as the file log: events are stored as JSON
 * through the codec and decoded on every read, so an event that would not survive the file does
 * not survive here either.
 */
export class MemoryEventLog<E> implements EventLog<E> {
  private readonly codec: EventCodec<E>;
  private readonly storage: MemoryEventStorage;
  private closed = false;

  constructor(codec: EventCodecInput<E>, storage: MemoryEventStorage = new MemoryEventStorage()) {
    this.codec = eventCodec(codec);
    this.storage = storage;
  }

  append(
    stream: string,
    events: readonly E[],
    expected: ExpectedVersion,
  ): Promise<{ readonly version: number }> {
    // Run after the caller's turn, as real storage does; a bad argument becomes a rejection.
    return Promise.resolve().then(() => {
      if (this.closed) throw new EventLogClosed();
      checkStreamName(stream);
      checkExpected(expected);
      const json = encodeEvents(this.codec, stream, events);
      const stored = this.storage.streams.get(stream) ?? [];
      const conflict = versionConflict(stream, expected, stored.length);
      if (conflict !== undefined) throw conflict;
      if (json.length > 0) this.storage.streams.set(stream, [...stored, ...json]);
      return { version: stored.length + json.length };
    });
  }

  read(stream: string, fromVersion = 1): Promise<readonly StoredEvent<E>[]> {
    return Promise.resolve().then(() => {
      if (this.closed) throw new EventLogClosed();
      checkStreamName(stream);
      checkFromVersion(fromVersion);
      const stored = this.storage.streams.get(stream) ?? [];
      const out: StoredEvent<E>[] = [];
      for (let i = fromVersion - 1; i < stored.length; i++) {
        const where = `memory:${stream}`;
        let parsed: unknown;
        try {
          parsed = JSON.parse(stored[i] ?? '');
        } catch (e) {
          throw new EventLogCorrupted(where, i + 1, `not JSON (${(e as Error).message})`);
        }
        const event = this.codec.decode(parsed);
        if (E.isLeft(event)) throw new EventLogCorrupted(where, i + 1, `not an event: ${event.left}`);
        out.push({ stream, version: i + 1, event: event.right });
      }
      return out;
    });
  }

  /** Every read reads the shared storage: nothing is kept to refresh. */
  refresh(): Promise<void> {
    return this.closed ? Promise.reject(new EventLogClosed()) : Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
