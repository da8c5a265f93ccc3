import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../examples/dedupe-consumer/consumer-settings.ts';
import { readTickRecord } from '../../../examples/dedupe-consumer/tick-record.ts';

const message = (value: string | null, key: string | null = '2885', tickId?: string): KafkaMessage => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  timestamp: '0',
  attributes: 0,
  offset: '0',
  headers: tickId === undefined ? {} : { 'tick-id': Buffer.from(tickId) },
});

describe('the dedupe consumer at its boundaries', () => {
  it('reads a tick record: token from the key (else the value), tick-id from its header', () => {
    expect(readTickRecord(message('{"token":"2885","ltp":1}', '2885', '2885:1:0:l'))).toEqual({
      ok: true,
      record: { token: '2885', tickId: '2885:1:0:l', json: '{"token":"2885","ltp":1}' },
    });
    expect(readTickRecord(message('{"token":"11536"}', null))).toMatchObject({
      ok: true,
      record: { token: '11536', tickId: undefined },
    });
  });

  it('skips, naming why, a record without a value, with a value that is not JSON or not an object, or without a token', () => {
    expect(readTickRecord(message(null))).toEqual({ ok: false, problem: 'no value' });
    expect(readTickRecord(message('{not json'))).toEqual({ ok: false, problem: 'value is not JSON' });
    expect(readTickRecord(message('[1,2]'))).toEqual({ ok: false, problem: 'value is not a JSON object' });
    expect(readTickRecord(message('{"ltp":1}', null))).toEqual({ ok: false, problem: 'no token' });
  });

  it('takes defaults, and names every bad setting', () => {
    expect(readSettings({})).toEqual({
      settings: {
        brokers: ['localhost:9092'],
        topic: 'market_ticks',
        groupId: 'tick-dedupe-example',
        windowPerToken: 4096,
      },
    });
    const bad = readSettings({ KAFKA_BROKER: 'kafka', TICK_TOPIC: 'market ticks', DEDUPE_WINDOW: '0' });
    expect('problems' in bad && bad.problems.map((p) => p.split(':')[0])).toEqual([
      'KAFKA_BROKER',
      'TICK_TOPIC',
      'DEDUPE_WINDOW',
    ]);
  });
});
