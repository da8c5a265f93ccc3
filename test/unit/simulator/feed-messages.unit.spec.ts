import { describe, expect, it } from 'vitest';
import { readClientText } from '../../../src/simulator/feed-messages.ts';

describe('simulator: client text messages', () => {
  it('reads LOGIN, subscribe, unsubscribe and both mode forms', () => {
    expect(readClientText('LOGIN:abc.def.ghi')).toEqual({ kind: 'login', accessToken: 'abc.def.ghi' });
    expect(readClientText('{"a":"subscribe","v":[26000,2885]}')).toEqual({
      kind: 'subscribe',
      tokens: [26000, 2885],
    });
    expect(readClientText('{"a":"unsubscribe","v":[2885]}')).toEqual({ kind: 'unsubscribe', tokens: [2885] });
    expect(readClientText('{"a":"mode","v":["full",[26000,2885]]}')).toEqual({
      kind: 'mode',
      mode: 'full',
      tokens: [26000, 2885],
    });
    expect(readClientText('{"a":"mode","v":["ltp"]}')).toEqual({
      kind: 'mode',
      mode: 'ltp',
      tokens: undefined,
    });
  });

  it('ignores unknown text and unknown actions', () => {
    expect(readClientText('PING')).toEqual({ kind: 'ignored' });
    expect(readClientText('{"a":"ping"}')).toEqual({ kind: 'ignored' });
    expect(readClientText('[1,2]')).toEqual({ kind: 'ignored' });
  });

  it('calls broken JSON and bad values of known actions invalid', () => {
    expect(readClientText('{"a":"subscribe","v":[26000')).toMatchObject({ kind: 'invalid' });
    expect(readClientText('{"a":"subscribe","v":["26000"]}')).toMatchObject({ kind: 'invalid' });
    expect(readClientText('{"a":"subscribe","v":[1.5]}')).toMatchObject({ kind: 'invalid' });
    expect(readClientText('{"a":"mode","v":["fast",[1]]}')).toMatchObject({ kind: 'invalid' });
  });
});
