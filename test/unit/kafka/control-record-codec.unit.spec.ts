import { describe, expect, it } from 'vitest';
import {
  decodeControlRecords,
  encodeControlRecords,
} from '../../../src/adapters/kafka/control-record-codec.ts';

describe('control records in the journal', () => {
  it('round-trips one publish call, keys, values and schema versions as they were', () => {
    const records = [
      {
        key: '2885',
        value: '{"reason":"price-outside-band","tick":{"token":"2885"}}',
        schemaVersion: 1,
      },
      { key: '11536', value: '{"event":"FeedGapOpened"}', schemaVersion: 2 },
    ];
    expect(decodeControlRecords(encodeControlRecords(records))).toEqual(records);
  });

  it('reads a journal written before records carried a version as version 1, so an old journal replays', () => {
    const old = Buffer.from('[{"key":"2885","value":"{\\"event\\":\\"FeedGapOpened\\"}"}]');
    expect(decodeControlRecords(old)).toEqual([
      { key: '2885', value: '{"event":"FeedGapOpened"}', schemaVersion: 1 },
    ]);
  });

  it('refuses what is not control records, rather than sending it', () => {
    expect(decodeControlRecords(Buffer.from('not json'))).toBeUndefined();
    expect(decodeControlRecords(Buffer.from('[{"key":1,"value":"x"}]'))).toBeUndefined();
    expect(decodeControlRecords(Buffer.from('{"key":"a","value":"x"}'))).toBeUndefined();
    expect(
      decodeControlRecords(Buffer.from('[{"key":"a","value":"x","schemaVersion":"1"}]')),
    ).toBeUndefined();
    expect(decodeControlRecords(Buffer.from('[{"key":"a","value":"x","schemaVersion":0}]'))).toBeUndefined();
  });
});
