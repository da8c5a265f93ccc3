import { either as E } from 'fp-ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/domain/instrument.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import { decodeTick, encodeTick } from '../../../src/ports/tick-sink/tick-wire.ts';
import { TRADING, tick } from '../trust/trust-fixtures.ts';

const EXCHANGES: readonly Exchange[] = ['NSE', 'BSE', 'NFO', 'BFO'];
const withExchange = (exchange: Exchange | undefined): Tick => tick(TRADING, { exchange });

describe('the tick wire form: exchange', () => {
  it('writes the exchange right after the token, and reads it back', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EXCHANGES), (exchange) => {
        const json = encodeTick(withExchange(exchange));
        expect(json.startsWith(`{"token":"${tick(TRADING).token}","exchange":"${exchange}","ltp":`)).toBe(
          true,
        );
        expect(decodeTick(json)).toEqual(E.right(withExchange(exchange)));
      }),
    );
  });

  it('writes no exchange when the tick has none, byte for byte as before, and reads that back', () => {
    const json = encodeTick(withExchange(undefined));
    expect(json).toBe(encodeTick(tick(TRADING)));
    expect(json).not.toContain('"exchange"');
    const back = decodeTick(json);
    expect(back).toEqual(E.right(tick(TRADING)));
    expect(E.isRight(back) && 'exchange' in back.right).toBe(false);
  });

  it('gives equal ticks equal bytes wherever the tick holds its exchange', () => {
    const { token, ...rest } = tick(TRADING, { exchange: 'BSE' });
    const exchangeLast: Tick = { token, ...rest, exchange: 'BSE' };
    expect(encodeTick(exchangeLast)).toBe(encodeTick(tick(TRADING, { exchange: 'BSE' })));
  });

  it('refuses an exchange it does not know, naming the field', () => {
    const json = encodeTick(withExchange('NSE'));
    for (const bad of ['"MCX"', '"nse"', '7', 'null']) {
      const drifted = json.replace('"exchange":"NSE"', `"exchange":${bad}`);
      const result = decodeTick(drifted);
      expect(E.isLeft(result) && result.left.message).toMatch(/^invalid tick at (1\.)?exchange$/);
    }
  });
});
