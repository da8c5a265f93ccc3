import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';

describe('test bed', () => {
  it('gives a Kafka broker that stores and returns messages', async () => {
    const kafka = new Kafka({
      clientId: 'test-bed',
      brokers: [inject('kafkaBroker')],
      logLevel: logLevel.NOTHING,
    });
    const topic = `bed-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: '26000', value: 'hello' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `g-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<string>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          resolve(`${message.key?.toString() ?? ''}=${message.value?.toString() ?? ''}`);
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(received).toBe('26000=hello');
  });

  it('gives a Redis server that delivers pub/sub messages', async () => {
    const sub = new Redis(inject('redisUrl'));
    const pub = new Redis(inject('redisUrl'));
    const channel = `bed-${randomUUID()}`;
    await sub.subscribe(channel);
    const got = new Promise<string>((resolve) => sub.on('message', (_c: string, m: string) => resolve(m)));
    await pub.publish(channel, 'START_BACKFILL');
    expect(await got).toBe('START_BACKFILL');
    sub.disconnect();
    pub.disconnect();
  });
});
