import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { KafkaEventLog } from '../../../src/adapters/event-log/kafka-event-log.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { added, TestEvent } from '../../contract/event-log.contract.ts';

const kafka = new Kafka({
  clientId: 'event-log-refresh-test',
  brokers: [inject('kafkaBroker')],
  logLevel: logLevel.NOTHING,
});
const openLog = (topic: string): KafkaEventLog<TestEvent> =>
  new KafkaEventLog({ kafka, topic, codec: TestEvent, logger: new MemoryLogger(), readTimeoutMs: 60_000 });

describe('KafkaEventLog.refresh (cluster members on one topic, one writer per stream)', () => {
  it('shows what another process appended since the first read; a stream taken over goes on from there', async () => {
    const topic = `events-${randomUUID()}`;
    const [mine, theirs] = [openLog(topic), openLog(topic)];
    try {
      // Its first use reads the topic into memory: what the other writes later is not seen.
      await mine.append('backfill-a', [added(1)], 'no-stream');
      await theirs.append('backfill-b', [added(10)], 'no-stream');
      await theirs.append('backfill-b', [added(11), added(12)], 1);
      expect(await mine.read('backfill-b')).toEqual([]);

      await mine.refresh();
      expect((await mine.read('backfill-b')).map((e) => e.event)).toEqual([added(10), added(11), added(12)]);
      expect(await mine.read('backfill-a')).toHaveLength(1);
      // Taking the stream over: an append goes on from the version the other reached.
      expect(await mine.append('backfill-b', [added(13)], 3)).toEqual({ version: 4 });
      await mine.append('backfill-a', [added(2)], 1);

      // A process that reads everything afresh sees each stream whole and in order.
      const fresh = openLog(topic);
      try {
        expect(await fresh.read('backfill-b')).toHaveLength(4);
        expect((await fresh.read('backfill-a')).map((e) => e.event)).toEqual([added(1), added(2)]);
      } finally {
        await fresh.close();
      }
    } finally {
      await Promise.all([mine.close(), theirs.close()]);
    }
  }, 120_000);

  it('has nothing to do before the first read', async () => {
    const log = openLog(`events-${randomUUID()}`);
    try {
      await log.refresh();
      expect(await log.read('backfill-x')).toEqual([]);
    } finally {
      await log.close();
    }
  }, 60_000);
});
