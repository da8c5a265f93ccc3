import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { EventLogCorrupted } from '../../ports/event-log/event-log-errors.ts';

/** One stored record of a stream, as read off the topic: its version and its event's JSON value. */
export interface TopicRecord {
  readonly version: number;
  readonly event: unknown;
  /** `topic[partition]@offset`, for error messages. */
  readonly at: string;
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

/**
 * Reads a whole event-log topic into memory, by stream (the message key), stopping at the end
 * offsets the topic had when the read began. Each message is `{"v":<version>,"e":<event>}`; a
 * stream's versions must run 1, 2, 3... in order, or the topic is reported corrupt.
 */
export const readEventTopic = async (
  kafka: Kafka,
  admin: Admin,
  topic: string,
  timeoutMs: number,
): Promise<Map<string, TopicRecord[]>> => {
  const streams = new Map<string, TopicRecord[]>();
  const ends = new Map<number, bigint>();
  for (const p of await admin.fetchTopicOffsets(topic)) {
    if (BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
  }
  if (ends.size === 0) return streams;

  const groupId = `tickflow-event-log-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  let failure: Error | undefined;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const accept = (partition: number, offset: string, key: string, value: string): void => {
    const at = `${topic}[${partition}]@${offset}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (e) {
      throw new EventLogCorrupted(at, 1, `not JSON (${(e as Error).message})`);
    }
    const list = streams.get(key) ?? [];
    const version = list.length + 1;
    if (!isRecord(parsed) || !('e' in parsed) || parsed['v'] !== version)
      throw new EventLogCorrupted(at, 1, `expected {"v":${version},"e":<event>} for stream ${key}`);
    list.push({ version, event: parsed['e'], at });
    streams.set(key, list);
  };
  const timer = setTimeout(() => {
    failure = new Error(`reading event log topic ${topic} took longer than ${timeoutMs} ms`);
    finish();
  }, timeoutMs);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        const end = ends.get(partition);
        if (end === undefined || failure !== undefined) return Promise.resolve();
        const offset = BigInt(message.offset);
        if (offset < end) {
          try {
            if (message.key === null || message.value === null)
              throw new EventLogCorrupted(
                `${topic}[${partition}]@${message.offset}`,
                1,
                'message without key or value',
              );
            accept(partition, message.offset, message.key.toString('utf8'), message.value.toString('utf8'));
          } catch (e) {
            failure = e as Error;
            finish();
            return Promise.resolve();
          }
        }
        if (offset + 1n >= end) {
          ends.delete(partition);
          if (ends.size === 0) finish();
        }
        return Promise.resolve();
      },
    });
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    // The reader's group held no offsets worth keeping.
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  if (failure !== undefined) throw failure;
  return streams;
};
