import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { socketsNeeded } from '../../../src/adapters/mstock/feed-socket-plan.ts';
import { decodeConfig } from '../../../src/app/root/config/app-config.ts';

describe('the feed socket settings', () => {
  it('default to 1000 instruments per socket and 3 sockets', () => {
    const config = decodeConfig({}, 'demo', '/tmp');
    if (E.isLeft(config)) throw new Error(config.left.join('\n'));
    expect(config.right.maxInstrumentsPerSocket).toBe(1000);
    expect(config.right.maxSockets).toBe(3);
    expect(socketsNeeded(3000, config.right)).toBe(3);
    expect(() => socketsNeeded(3001, config.right)).toThrow(/MSTOCK_MAX_SOCKETS \(3\)/);
  });

  it('are read from MSTOCK_MAX_INSTRUMENTS_PER_SOCKET and MSTOCK_MAX_SOCKETS', () => {
    const config = decodeConfig(
      { MSTOCK_MAX_INSTRUMENTS_PER_SOCKET: '500', MSTOCK_MAX_SOCKETS: '2' },
      'demo',
      '/tmp',
    );
    if (E.isLeft(config)) throw new Error(config.left.join('\n'));
    expect(socketsNeeded(1000, config.right)).toBe(2);
    expect(() => socketsNeeded(1001, config.right)).toThrow(/MSTOCK_MAX_INSTRUMENTS_PER_SOCKET \(500\)/);
  });

  it('stop the start when the retired MSTOCK_MAX_TOKENS_PER_CONNECTION is set, naming its successor', () => {
    const config = decodeConfig({ MSTOCK_MAX_TOKENS_PER_CONNECTION: '500' }, 'demo', '/tmp');
    expect(E.isLeft(config) ? config.left : []).toEqual([
      'MSTOCK_MAX_TOKENS_PER_CONNECTION: no longer read; set MSTOCK_MAX_INSTRUMENTS_PER_SOCKET instead ' +
        '(the feed now opens as many sockets as the selection needs, up to MSTOCK_MAX_SOCKETS)',
    ]);
  });
});
