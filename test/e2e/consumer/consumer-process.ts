import { spawn } from 'node:child_process';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { fileURLToPath } from 'node:url';

const CONSUMER = fileURLToPath(new URL('../../../examples/dedupe-consumer/consumer.ts', import.meta.url));

/** The example consumer as its user runs it: `node consumer.ts`, stdout and stderr kept apart. */
export interface ConsumerProcess {
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  kill(): void;
}

export const startDedupeConsumer = (env: Readonly<Record<string, string>>): ConsumerProcess => {
  const child = spawn(process.execPath, [CONSUMER], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    stdout: () => out,
    stderr: () => err,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
};

/** Each token's ids in the order of their first copy on the topic (kcat keeps each partition's order). */
export const firstCopiesByToken = (
  records: readonly { token: string; id: string }[],
): Map<string, string[]> => {
  const seen = new Set<string>();
  const out = new Map<string, string[]>();
  for (const { token, id } of records) {
    if (seen.has(id)) continue;
    seen.add(id);
    out.set(token, [...(out.get(token) ?? []), id]);
  }
  return out;
};

/**
 * True once the group has committed every partition of `topic` that holds records up to its end;
 * undefined before, also while the broker's coordinator for the new group is not ready.
 */
export const caughtUp = async (admin: Admin, groupId: string, topic: string): Promise<true | undefined> => {
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const at = new Map(committed?.partitions.map((p) => [p.partition, p.offset]));
    return ends.every((e) => e.high === e.low || at.get(e.partition) === e.high) ? true : undefined;
  } catch {
    return undefined;
  }
};

/** What the example consumer did with a whole topic: the ticks it printed and its closing counts. */
export interface ConsumedTopic {
  readonly delivered: readonly { readonly token: string; readonly id: string }[];
  readonly stopped: unknown;
  readonly exitCode: number | null;
}

/**
 * Runs the example consumer in a new group over `topic` until the group has committed all of it,
 * then stops it with SIGTERM, as a user would after reading a topic to its end.
 */
export const consumeTopicOnce = async (
  broker: string,
  topic: string,
  timeoutMs: number,
): Promise<ConsumedTopic> => {
  const groupId = `dedupe-example-${topic}-${String(Date.now())}`;
  const admin = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const consumer = startDedupeConsumer({ KAFKA_BROKER: broker, TICK_TOPIC: topic, GROUP_ID: groupId });
  try {
    const deadline = Date.now() + timeoutMs;
    while ((await caughtUp(admin, groupId, topic)) === undefined) {
      if (Date.now() > deadline) {
        const lines = consumer.stdout().split('\n').length - 1;
        throw new Error(
          `the consumer did not commit the whole topic within ${String(timeoutMs)} ms; ${String(lines)} lines on stdout; stderr:\n${consumer.stderr().slice(-3000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const exitCode = await consumer.stop();
    const delivered = consumer
      .stdout()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { token: string; id: string });
    const stopped = consumer
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"event":"stopped"'))
      .map((l) => JSON.parse(l) as unknown);
    return { delivered, stopped, exitCode };
  } finally {
    consumer.kill();
    await admin.disconnect();
  }
};
