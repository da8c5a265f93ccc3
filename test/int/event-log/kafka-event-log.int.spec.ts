import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { EventLogCorrupted } from '../../../src/ports/event-log/event-log-errors.ts';
import { KafkaEventLog } from '../../../src/adapters/event-log/kafka-event-log.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { added, eventLogContract, named, TestEvent } from '../../contract/event-log.contract.ts';

const kafka = new Kafka({
  clientId: 'event-log-test',
  brokers: [inject('kafkaBroker')],
  logLevel: logLevel.NOTHING,
});
const openLog = (topic: string, logger = new MemoryLogger()): KafkaEventLog<TestEvent> =>
  new KafkaEventLog({ kafka, topic, codec: TestEvent, logger, readTimeoutMs: 60_000 });

eventLogContract('kafka', () => {
  const topic = `events-${randomUUID()}`;
  return Promise.resolve({ open: () => openLog(topic), cleanup: () => Promise.resolve() });
});

describe('KafkaEventLog', () => {
  const admin = kafka.admin();
  afterAll(async () => {
    await admin.disconnect();
  });

  it('creates its topic with one partition and nothing ever expiring', async () => {
    const topic = `events-${randomUUID()}`;
    const log = openLog(topic);
    await log.append('plan-1', [added(1)], 'no-stream');
    await log.close();
    await admin.connect();
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(meta?.partitions).toHaveLength(1);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy', 'retention.ms'] },
      ],
    });
    const entries = configs.resources[0]?.configEntries.map((c) => [c.configName, c.configValue]);
    expect(Object.fromEntries(entries ?? [])).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': '-1' });
  });

  it('keys each event by its stream and stores {"v","e"} as the value', async () => {
    const topic = `events-${randomUUID()}`;
    const log = openLog(topic);
    await log.append('plan-7', [added(1), named('n')], 'no-stream');
    await log.close();
    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId: `g-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          seen.push(`${message.key?.toString() ?? ''} ${message.value?.toString() ?? ''}`);
          if (seen.length === 2) resolve();
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(seen).toEqual([
      'plan-7 {"v":1,"e":{"type":"Added","data":{"n":1}}}',
      'plan-7 {"v":2,"e":{"type":"Named","data":{"name":"n"}}}',
    ]);
  });

  it('refuses a topic holding a message that is not a record of its stream, naming where it is', async () => {
    const topic = `events-${randomUUID()}`;
    const writer = openLog(topic);
    await writer.append('plan-1', [added(1)], 'no-stream');
    await writer.close();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'plan-1', value: '{"v":5,"e":{}}' }] });
    await producer.disconnect();
    const reader = openLog(topic);
    const read = reader.read('plan-1');
    await expect(read).rejects.toBeInstanceOf(EventLogCorrupted);
    await expect(read).rejects.toMatchObject({ where: `${topic}[0]@1` });
    await reader.close();
  });
});
