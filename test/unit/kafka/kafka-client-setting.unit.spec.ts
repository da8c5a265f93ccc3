import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import {
  decodeKafkaSinkSettings,
  kafkaSinkSettingsFromEnv,
} from '../../../src/adapters/kafka/kafka-settings.ts';

describe('KAFKA_CLIENT', () => {
  it('is kafkajs unless set, and takes platformatic', () => {
    expect(kafkaSinkSettingsFromEnv({}).client).toBe('kafkajs');
    expect(kafkaSinkSettingsFromEnv({ KAFKA_CLIENT: '' }).client).toBe('kafkajs');
    expect(kafkaSinkSettingsFromEnv({ KAFKA_CLIENT: 'platformatic' }).client).toBe('platformatic');
  });

  it('refuses another client, naming the setting and what it takes', () => {
    const decoded = decodeKafkaSinkSettings({ KAFKA_CLIENT: 'rdkafka' });
    expect(E.isLeft(decoded) ? decoded.left.map((e) => e.message) : []).toEqual([
      'KAFKA_CLIENT: expected one of kafkajs|platformatic (got "rdkafka")',
    ]);
  });
});
