import type { ServiceIdentifier } from 'inversify';

/**
 * One record for a control topic (quarantine, gaps, candles): a key, a JSON value, and the version
 * of the value's schema (each record kind's codec owns its version; the Kafka adapter sends it as
 * the `schema-version` header, as ticks carry theirs).
 */
export interface ControlRecord {
  readonly key: string;
  readonly value: string;
  readonly schemaVersion: number;
}

/**
 * Where records other than ticks go. `publish` resolves once the records are durable at the
 * destination, or (an adapter with a local journal) durable there and bound for the destination at
 * the next start; it rejects when they could not be kept (the adapter counts and logs that), so a
 * caller never has to guess. Records of one key keep their order.
 */
export interface RecordPublisher {
  publish(records: readonly ControlRecord[]): Promise<void>;
  /** Delivers what it can within its close timeout, then releases connections. */
  close(): Promise<void>;
}
export const recordPublisherId = (topic: string): ServiceIdentifier<RecordPublisher> =>
  Symbol.for(`tickflow.RecordPublisher.${topic}`);
