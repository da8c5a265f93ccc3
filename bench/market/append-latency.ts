import { Kafka, logLevel } from 'kafkajs';

/**
 * Receive → Kafka latency of the ticks `tickflow live` published, read back from the topic. The
 * service has no receive→ack histogram (only `kafka_publish_latency_seconds`, one send's own
 * time), so the benchmark makes the broker stamp each record: a topic with
 * `message.timestamp.type=LogAppendTime` carries the time the broker appended it, and the tick
 * carries `receivedAt` (frame receipt). Broker, service and benchmark share one clock (one machine).
 * With acks=all on a single broker, the acknowledgement leaves right after the append.
 */
const kafkaOf = (broker: string): Kafka =>
  new Kafka({ clientId: 'tickflow-bench-market', brokers: [broker], logLevel: logLevel.NOTHING });

/** Creates the tick topic before the service does, with broker append times on its records. */
export const createAppendTimeTopic = async (
  broker: string,
  topic: string,
  partitions: number,
): Promise<void> => {
  const admin = kafkaOf(broker).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
};

export interface AppendLatencies {
  /** Records read whose append time falls in the window, and their latency (ms), unsorted. */
  readonly latenciesMs: number[];
  /** Records on the topic in all (warm-up included). */
  readonly recordsRead: number;
  /** Distinct keys (instrument tokens) seen in the window. */
  readonly tokensInWindow: number;
}

const RECEIVED_AT = Buffer.from('"receivedAt":');

/** `receivedAt` from a tick's wire JSON without parsing all of it (hundreds of thousands of records). */
const receivedAtOf = (value: Buffer): number | undefined => {
  const at = value.indexOf(RECEIVED_AT);
  if (at < 0) return undefined;
  let n = 0;
  let i = at + RECEIVED_AT.length;
  for (; i < value.length; i++) {
    const c = value[i] ?? 0;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i === at + RECEIVED_AT.length ? undefined : n;
};

/**
 * Reads the whole topic once (after the service stopped, so the reading costs the measured
 * process nothing) and keeps the latency of each record appended between `fromMs` and `toMs`.
 */
export const readAppendLatencies = async (
  broker: string,
  topic: string,
  fromMs: number,
  toMs: number,
  limitMs: number,
): Promise<AppendLatencies> => {
  const kafka = kafkaOf(broker);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(p.partition, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  const latenciesMs: number[] = [];
  const tokens = new Set<string>();
  let recordsRead = 0;
  const consumer = kafka.consumer({
    groupId: `tickflow-bench-market-${Date.now()}`,
    maxBytes: 16 * 1024 * 1024,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    if (pending.size === 0) finish();
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          recordsRead += 1;
          const appended = Number(m.timestamp);
          if (appended < fromMs || appended > toMs || m.value === null) continue;
          const received = receivedAtOf(m.value);
          if (received === undefined) continue;
          latenciesMs.push(appended - received);
          if (m.key !== null) tokens.add(m.key.toString('latin1'));
        }
        const last = batch.lastOffset();
        const high = ends.get(batch.partition) ?? 0n;
        if (BigInt(last) + 1n >= high) {
          pending.delete(batch.partition);
          if (pending.size === 0) finish();
        }
        await Promise.resolve();
      },
    });
    const timedOut = new Promise<void>((resolve) => setTimeout(resolve, limitMs).unref());
    await Promise.race([done, timedOut]);
    if (pending.size > 0) throw new Error(`reading ${topic} back took longer than ${limitMs} ms`);
  } finally {
    await consumer.disconnect();
  }
  return { latenciesMs, recordsRead, tokensInWindow: tokens.size };
};
