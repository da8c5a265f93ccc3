import { describe, expect, it } from 'vitest';
import { decodeFrame, type DecodeOptions } from '../../../src/adapters/mstock/binary/decode-frame.ts';
import type { Exchange, InstrumentToken } from '../../../src/domain/instrument.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import { TickSequencer } from '../../../src/domain/tick-sequencer.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { PACKET_KINDS, type PacketKind } from '../../../src/protocol/mstock/packet-layout.ts';
import { decodeTick, encodeTick } from '../../../src/ports/tick-sink/tick-wire.ts';
import { encodeFrame, encodePacket, type PacketFields } from '../../../src/simulator/encode-frame.ts';

const RECEIVED = epochMs(1_750_000_000_123);
const NSE_TOKEN = 2885;
const BSE_TOKEN = 500325;
const SELECTION: ReadonlyMap<string, Exchange> = new Map([
  [String(NSE_TOKEN), 'NSE'],
  [String(BSE_TOKEN), 'BSE'],
]);

/** Every packet kind for both tokens; `timed` false leaves both feed times 0 (the sparse paths). */
const frameOfEveryKind = (timed: boolean): Uint8Array => {
  const fields = (token: number): PacketFields => ({
    token,
    ltp: 150_000,
    volume: 10,
    exchangeTime: timed ? 1_388_567_700 : 0,
    lastTradeTime: timed ? 1_388_567_690 : 0,
  });
  return encodeFrame(
    PACKET_KINDS.flatMap((kind: PacketKind) => [
      encodePacket(fields(NSE_TOKEN), kind),
      encodePacket(fields(BSE_TOKEN), kind),
    ]),
  );
};

const decode = (frame: Uint8Array, extra: Partial<DecodeOptions> = {}, sequencer = new TickSequencer()) => {
  const r = decodeFrame(frame, RECEIVED, sequencer, { tickTimeZone: 'ist', priceDivisor: 100, ...extra });
  expect(r.malformed).toEqual([]);
  return r.ticks;
};

/** Counts the calls, to show the exchange is asked once per token, not per tick. */
const countingExchangeOf = () => {
  const asked: InstrumentToken[] = [];
  const exchangeOf = (token: InstrumentToken): Exchange | undefined => {
    asked.push(token);
    return SELECTION.get(token);
  };
  return { asked, exchangeOf };
};

describe('decodeFrame: the exchange on the tick', () => {
  for (const timed of [true, false]) {
    const which = timed ? 'with both feed times' : 'with the feed times left 0';
    it(`stamps every packet kind ${which} with its token's exchange from exchangeOf`, () => {
      const ticks = decode(frameOfEveryKind(timed), { exchangeOf: (t) => SELECTION.get(t) });
      expect(ticks).toHaveLength(2 * PACKET_KINDS.length);
      expect(ticks.map((t) => [t.token, t.exchange])).toEqual(
        PACKET_KINDS.flatMap(() => [
          [String(NSE_TOKEN), 'NSE'],
          [String(BSE_TOKEN), 'BSE'],
        ]),
      );
      // The wire form carries it, right after the token, and reads back the same.
      for (const tick of ticks) {
        const json = encodeTick(tick);
        expect(json).toMatch(/^\{"token":"\d+","exchange":"(NSE|BSE)","ltp":/);
        expect(decodeTick(json)).toEqual({ _tag: 'Right', right: tick });
      }
    });

    it(`leaves every packet kind ${which} without an exchange when no exchangeOf is given`, () => {
      const ticks = decode(frameOfEveryKind(timed));
      expect(ticks).toHaveLength(2 * PACKET_KINDS.length);
      for (const tick of ticks) {
        expect(tick.exchange).toBeUndefined();
        expect(encodeTick(tick)).not.toContain('"exchange"');
      }
    });

    it(`gives each packet kind ${which} one object shape, with an exchange or without`, () => {
      const keys = (ticks: readonly Tick[]) => ticks.map((t) => Object.keys(t).join(','));
      const without = decode(frameOfEveryKind(timed));
      const withExchange = decode(frameOfEveryKind(timed), { exchangeOf: (t) => SELECTION.get(t) });
      expect(keys(withExchange)).toEqual(keys(without));
      expect(keys(without).every((k) => k.startsWith('token,exchange,'))).toBe(true);
    });
  }

  it('asks for a token’s exchange once, not per tick, across frames', () => {
    const { asked, exchangeOf } = countingExchangeOf();
    const sequencer = new TickSequencer();
    for (let i = 0; i < 3; i++) decode(frameOfEveryKind(i % 2 === 0), { exchangeOf }, sequencer);
    expect([...asked].sort()).toEqual([String(NSE_TOKEN), String(BSE_TOKEN)].sort());
  });

  it('asks again for a token it got no exchange for, and stamps it once the selection knows it', () => {
    const known = new Map<string, Exchange>();
    const sequencer = new TickSequencer();
    const frame = encodeFrame([encodePacket({ token: NSE_TOKEN, ltp: 100 }, 'ltp8')]);
    const exchangeOf = (t: InstrumentToken) => known.get(t);
    expect(decode(frame, { exchangeOf }, sequencer)[0]?.exchange).toBeUndefined();
    known.set(String(NSE_TOKEN), 'NFO');
    expect(decode(frame, { exchangeOf }, sequencer)[0]?.exchange).toBe('NFO');
  });

  it('asks again after forgetExchanges, keeping the seq run of the token', () => {
    const selection = new Map<string, Exchange>([[String(NSE_TOKEN), 'NSE']]);
    const sequencer = new TickSequencer();
    const frame = encodeFrame([encodePacket({ token: NSE_TOKEN, ltp: 100 }, 'ltp8')]);
    const exchangeOf = (t: InstrumentToken) => selection.get(t);
    const first = decode(frame, { exchangeOf }, sequencer)[0];
    selection.set(String(NSE_TOKEN), 'NFO');
    expect(decode(frame, { exchangeOf }, sequencer)[0]?.exchange).toBe('NSE'); // kept, not asked
    sequencer.forgetExchanges();
    const after = decode(frame, { exchangeOf }, sequencer)[0];
    expect([first?.exchange, after?.exchange]).toEqual(['NSE', 'NFO']);
    expect(after?.seq).toBe(2);
  });
});
