import { describe, expect, it } from 'vitest';
import {
  feedUrl,
  loginMessage,
  readServerText,
  subscriptionMessages,
} from '../../../src/adapters/mstock/feed-protocol.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';

describe('the feed text protocol', () => {
  it('puts the credentials in the URL under upper-case names, percent-encoded', () => {
    expect(feedUrl('wss://ws.mstock.trade', 'k+y/=@', 'a.b=')).toBe(
      'wss://ws.mstock.trade?API_KEY=k%2By%2F%3D%40&ACCESS_TOKEN=a.b%3D',
    );
    expect(feedUrl('ws://127.0.0.1:9/?x=1', 'k', 't')).toBe('ws://127.0.0.1:9/?x=1&API_KEY=k&ACCESS_TOKEN=t');
  });

  it('logs in with LOGIN:<token>', () => {
    expect(loginMessage('eyJ.x')).toBe('LOGIN:eyJ.x');
  });

  it('subscribes in chunks of the per-connection limit, tokens as numbers, then sets the mode for each chunk', () => {
    const tokens = ['26000', '2885', '11536', '1594', '1333'].map(instrumentToken);
    expect(subscriptionMessages(tokens, 'full', 2).map((m) => JSON.parse(m) as unknown)).toEqual([
      { a: 'subscribe', v: [26000, 2885] },
      { a: 'subscribe', v: [11536, 1594] },
      { a: 'subscribe', v: [1333] },
      { a: 'mode', v: ['full', [26000, 2885]] },
      { a: 'mode', v: ['full', [11536, 1594]] },
      { a: 'mode', v: ['full', [1333]] },
    ]);
  });

  it('reads server errors, ignores order and trade updates and anything unknown', () => {
    expect(readServerText('{"type":"error","data":"Invalid mode"}')).toEqual({
      kind: 'error',
      message: 'Invalid mode',
    });
    expect(readServerText('{"type":"error","data":{"code":7}}')).toEqual({
      kind: 'error',
      message: '{"code":7}',
    });
    expect(readServerText('{"type":"order","data":{"id":1}}')).toEqual({ kind: 'order-update' });
    expect(readServerText('{"type":"trade","data":{}}')).toEqual({ kind: 'order-update' });
    expect(readServerText('LOGIN OK')).toEqual({ kind: 'other' });
    expect(readServerText('{"type":"welcome"}')).toEqual({ kind: 'other' });
  });
});
