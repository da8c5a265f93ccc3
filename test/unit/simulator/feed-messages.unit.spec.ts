import { describe, expect, it } from 'vitest';
import { readClientText } from '../../../src/simulator/feed-messages.ts';

describe('simulator: client text messages', () => {
  it('reads LOGIN, subscribe, unsubscribe and both mode forms', () => {
    expect(readClientText('LOGIN:abc.def.ghi')).toEqual({ kind: 'login', accessToken: 'abc.def.ghi' });
    expect(readClientText('{"a":"subscribe","v":[26000,2885]}')).toEqual({
      kind: 'subscribe',
      groups: [{ mode: undefined, tokens: [26000, 2885] }],
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

  it("reads the official SDK's subscribeWithMode form: the mode as the key of v", () => {
    expect(readClientText('{"a":"subscribe","v":{"full":[26000,2885]}}')).toEqual({
      kind: 'subscribe',
      groups: [{ mode: 'full', tokens: [26000, 2885] }],
    });
    expect(readClientText('{"a":"subscribe","v":{"quote":[2885],"ltp":[26000]}}')).toEqual({
      kind: 'subscribe',
      groups: [
        { mode: 'ltp', tokens: [26000] },
        { mode: 'quote', tokens: [2885] },
      ],
    });
  });

  it('refuses a mode-keyed subscribe with no mode, an unknown mode or bad tokens', () => {
    expect(readClientText('{"a":"subscribe","v":{}}')).toMatchObject({ kind: 'invalid' });
    expect(readClientText('{"a":"subscribe","v":{"fast":[2885]}}')).toMatchObject({ kind: 'invalid' });
    expect(readClientText('{"a":"subscribe","v":{"full":[2885],"snap":[1]}}')).toMatchObject({
      kind: 'invalid',
    });
    expect(readClientText('{"a":"subscribe","v":{"full":["2885"]}}')).toMatchObject({ kind: 'invalid' });
    expect(readClientText('{"a":"subscribe","v":{"full":2885}}')).toMatchObject({ kind: 'invalid' });
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
