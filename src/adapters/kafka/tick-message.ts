import { either as E } from 'fp-ts';
import { tickId, type Tick } from '../../domain/tick.ts';
import { decodeTick, encodeTick, TICK_SCHEMA_VERSION } from '../../ports/tick-sink/tick-wire.ts';
import type { KafkaRecord } from './kafka-record.ts';

/** Headers on every tick: consumers drop repeats by `tick-id` (possible after a crash or outage). */
export const HEADER_SCHEMA_VERSION = 'schema-version';
export const HEADER_SOURCE = 'source';
export const HEADER_TICK_ID = 'tick-id';

const SCHEMA_VERSION = String(TICK_SCHEMA_VERSION);

/** A tick as Kafka takes it: keyed by token, so one token's ticks share a partition and its order. */
export type TickMessage = KafkaRecord;

const messageWith = (tick: Tick, value: string): TickMessage => ({
  key: tick.token,
  value,
  headers: {
    [HEADER_SCHEMA_VERSION]: SCHEMA_VERSION,
    [HEADER_SOURCE]: tick.source,
    [HEADER_TICK_ID]: tickId(tick),
  },
});

export const tickMessage = (tick: Tick): TickMessage => messageWith(tick, encodeTick(tick));

/** A journal record of ticks: their wire JSON, one per line (JSON text never holds a raw newline). */
export const journalPayload = (messages: readonly TickMessage[]): Buffer =>
  Buffer.from(messages.map((m) => m.value).join('\n'));

export interface DecodedPayload {
  readonly messages: TickMessage[];
  /** Lines that did not decode as ticks (with their reason), which cannot be sent. */
  readonly rejected: readonly string[];
}

/** Reads a journal record back into messages, decoding each tick at this file boundary. */
export const messagesFromPayload = (payload: Buffer): DecodedPayload => {
  const messages: TickMessage[] = [];
  const rejected: string[] = [];
  for (const line of payload.toString('utf8').split('\n')) {
    const decoded = decodeTick(line);
    if (E.isLeft(decoded)) {
      rejected.push(decoded.left.message);
      continue;
    }
    // The journalled text goes out as it was written; the decoded tick only gives key and headers.
    messages.push(messageWith(decoded.right, line));
  }
  return { messages, rejected };
};
