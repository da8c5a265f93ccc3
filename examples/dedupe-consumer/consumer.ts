// Reads tickflow's market_ticks in a consumer group and drops the ticks it has already seen, by
// their `tick-id` header. Each delivered tick goes to stdout as one JSON line, as tickflow sent it;
// what it did goes to stderr. See README.md beside it.
import { Kafka, logLevel, type EachBatchPayload, type logCreator } from 'kafkajs';
import { readSettings } from './consumer-settings.ts';
import { RecentTickIds } from './recent-tick-ids.ts';
import { readTickRecord } from './tick-record.ts';

const report = (line: object): void => {
  process.stderr.write(`${JSON.stringify(line)}\n`);
};

const read = readSettings(process.env);
if ('problems' in read) {
  for (const problem of read.problems) process.stderr.write(`dedupe-consumer: ${problem}\n`);
  process.exit(2);
}
const { settings } = read;

// kafkajs logs to the console by default, which would mix its lines into the ticks on stdout.
const kafkaLogsToStderr: logCreator =
  () =>
  ({ namespace, level, log }) =>
    report({ kafkajs: level === logLevel.ERROR ? 'error' : 'warn', namespace, message: log.message });

const kafka = new Kafka({
  clientId: 'tick-dedupe-example',
  brokers: [...settings.brokers],
  logLevel: logLevel.WARN,
  logCreator: kafkaLogsToStderr,
});
const consumer = kafka.consumer({ groupId: settings.groupId });
const seen = new RecentTickIds(settings.windowPerToken);
const counts = { delivered: 0, repeatsDropped: 0, withoutTickId: 0, unreadable: 0 };

/** Resolves once the line is handed to the OS (a slow reader of stdout slows the consumer down). */
const writeLine = (line: string): Promise<void> =>
  new Promise((resolve, reject) => {
    process.stdout.write(`${line}\n`, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });

const handleBatch = async (payload: EachBatchPayload): Promise<void> => {
  const { batch } = payload;
  let nextOffset: string | undefined;
  for (const message of batch.messages) {
    if (!payload.isRunning() || payload.isStale()) break;
    const record = readTickRecord(message);
    if (!record.ok) {
      counts.unreadable += 1;
      report({ skipped: record.problem, partition: batch.partition, offset: message.offset });
    } else {
      const { token, tickId, json } = record.record;
      const deliver = tickId === undefined || seen.firstSeen(token, tickId);
      if (tickId === undefined) counts.withoutTickId += 1; // cannot tell a repeat: delivered
      if (deliver) {
        await writeLine(json);
        counts.delivered += 1;
      } else counts.repeatsDropped += 1;
    }
    // Resolved: the next fetch starts after it (without this kafkajs fetches the batch again).
    payload.resolveOffset(message.offset);
    nextOffset = (BigInt(message.offset) + 1n).toString();
  }
  // Only handled records are committed. After a rebalance the new owner reads this batch again.
  if (nextOffset !== undefined && !payload.isStale())
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset }]);
  await payload.heartbeat();
};

let stopping = false;
const stop = async (exitCode: number): Promise<void> => {
  stopping = true;
  // Waits for the batch in hand (its commit included), then leaves the group.
  await consumer.disconnect();
  report({ event: 'stopped', ...counts });
  process.exitCode = exitCode;
};
const onSignal = (): void => {
  if (stopping) process.exit(130); // a second signal: at once
  stop(0).catch((error: unknown) => {
    report({ event: 'stop failed', error: String(error) });
    process.exit(1);
  });
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
consumer.on(consumer.events.CRASH, ({ payload }) => {
  // kafkajs restarts by itself after a retriable error; any other error ends the run.
  if (payload.restart || stopping) return;
  report({ event: 'crashed', error: payload.error.message });
  stop(1).catch(() => process.exit(1));
});

try {
  await consumer.connect();
  // A group with no committed offsets starts at the beginning of the topic.
  await consumer.subscribe({ topic: settings.topic, fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: handleBatch });
  report({
    event: 'consuming',
    topic: settings.topic,
    groupId: settings.groupId,
    brokers: settings.brokers,
    idsPerToken: settings.windowPerToken,
  });
} catch (error) {
  // No broker, no such topic (with auto-creation off), a refused group: said in one line.
  report({ event: 'could not start', error: error instanceof Error ? error.message : String(error) });
  await consumer.disconnect();
  process.exitCode = 1;
}
