import { describe, expect, it } from 'vitest';
import {
  decodeControlRecords,
  encodeControlRecords,
} from '../../../src/adapters/kafka/control-record-codec.ts';

describe('control records in the journal', () => {
  it('round-trips one publish call, keys and values as they were', () => {
    const records = [
      { key: '2885', value: '{"reason":"price-outside-band","tick":{"token":"2885"}}' },
      { key: '11536', value: '{"event":"FeedGapOpened"}' },
    ];
    expect(decodeControlRecords(encodeControlRecords(records))).toEqual(records);
  });

  it('refuses what is not control records, rather than sending it', () => {
    expect(decodeControlRecords(Buffer.from('not json'))).toBeUndefined();
    expect(decodeControlRecords(Buffer.from('[{"key":1,"value":"x"}]'))).toBeUndefined();
    expect(decodeControlRecords(Buffer.from('{"key":"a","value":"x"}'))).toBeUndefined();
  });
});
