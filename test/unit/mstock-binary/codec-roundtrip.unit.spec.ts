import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../src/adapters/mstock/binary/decode-frame.ts';
import {
  encodeFrame,
  encodePacket,
  type DepthEntryFields,
  type Index48Order,
  type PacketFields,
} from '../../../src/simulator/encode-frame.ts';
import { feedSecondsToEpochMs, type TickTimeZone } from '../../../src/protocol/mstock/feed-time.ts';
import { PACKET_KINDS, PACKET_LENGTH, type PacketKind } from '../../../src/protocol/mstock/packet-layout.ts';
import { TickSequencer } from '../../../src/domain/tick-sequencer.ts';
import { epochMs } from '../../../src/domain/units.ts';

const RECEIVED = epochMs(1_750_000_000_123);
const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
/** Feed times: 0 ("not sent") or any positive count of seconds. */
const feedTime = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0x7fffffff }));
const depthSide = fc.array(
  fc.record({ quantity: int32, price: int32, orders: fc.integer({ min: 0, max: 0xffff }) }),
  { minLength: 5, maxLength: 5 },
);

const fieldsArb: fc.Arbitrary<PacketFields> = fc
  .record({
    token: fc.integer({ min: 1, max: 0x7fffffff }),
    ltp: int32,
    lastTradedQuantity: int32,
    averagePrice: int32,
    volume: int32,
    totalBuyQuantity: int32,
    totalSellQuantity: int32,
    close: int32,
    change: int32,
    lastTradeTime: feedTime,
    openInterest: int32,
    openInterestDayHigh: int32,
    openInterestDayLow: int32,
    exchangeTime: feedTime,
    depth: fc.record({ bids: depthSide, asks: depthSide }),
    upperCircuit: int32,
    lowerCircuit: int32,
    yearHigh: int32,
    yearLow: int32,
    // The 48-byte index packet tells open, high and low apart by size: keep low <= open <= high.
    ohl: fc.array(int32, { minLength: 3, maxLength: 3 }).map((xs) => [...xs].sort((a, b) => a - b)),
  })
  .map(({ ohl: [low, open, high], ...rest }) => ({ ...rest, low: low!, open: open!, high: high! }));

const orderArb: fc.Arbitrary<Index48Order> = fc.constantFrom(
  ['high', 'low', 'open'],
  ['open', 'high', 'low'],
  ['low', 'open', 'high'],
  ['open', 'low', 'high'],
);

const rupees = (paise: number | undefined) => (paise ?? 0) / 100;
const time = (s: number | undefined, zone: TickTimeZone) =>
  s === undefined || s === 0 ? undefined : feedSecondsToEpochMs(s, zone);

/** What a packet of `kind` carrying `f` must decode to, stated field by field from the layout table. */
const expectedTick = (f: PacketFields, kind: PacketKind, zone: TickTimeZone): Record<string, unknown> => {
  const base = { token: String(f.token), ltp: rupees(f.ltp), receivedAt: RECEIVED, source: 'live' };
  const ohlc = { open: rupees(f.open), high: rupees(f.high), low: rupees(f.low), close: rupees(f.close) };
  const withTimes = (t: Record<string, unknown>, ltt: number | undefined, et: number | undefined) => {
    const out: Record<string, unknown> = { ...t };
    if (time(ltt, zone) !== undefined) out.lastTradeTime = time(ltt, zone);
    if (time(et, zone) !== undefined) out.exchangeTime = time(et, zone);
    return out;
  };
  const quote = {
    ...base,
    volume: f.volume,
    lastTradedQuantity: f.lastTradedQuantity,
    averagePrice: rupees(f.averagePrice),
    totalBuyQuantity: f.totalBuyQuantity,
    totalSellQuantity: f.totalSellQuantity,
    ...ohlc,
  };
  const side = (s: readonly DepthEntryFields[]) =>
    s.map((e) => ({ quantity: e.quantity, price: rupees(e.price), orders: e.orders }));
  const full = {
    ...quote,
    openInterest: f.openInterest,
    openInterestDayHigh: f.openInterestDayHigh,
    openInterestDayLow: f.openInterestDayLow,
    depth: { bids: side(f.depth!.bids), asks: side(f.depth!.asks) },
  };
  const extras = {
    upperCircuit: rupees(f.upperCircuit),
    lowerCircuit: rupees(f.lowerCircuit),
    yearHigh: rupees(f.yearHigh),
    yearLow: rupees(f.yearLow),
  };
  switch (kind) {
    case 'ltp8':
      return { ...base, volume: 0 };
    case 'quote44':
      return quote;
    case 'full184':
      return withTimes(full, f.lastTradeTime, f.exchangeTime);
    case 'full200':
      return withTimes({ ...full, ...extras }, f.lastTradeTime, f.exchangeTime);
    case 'index28':
      return { ...base, volume: 0, ...ohlc, change: rupees(f.change) };
    case 'index32':
      return withTimes({ ...base, volume: 0, ...ohlc, change: rupees(f.change) }, undefined, f.exchangeTime);
    case 'index48':
      return withTimes({ ...base, volume: 0, ...ohlc, ...extras }, f.lastTradeTime, f.exchangeTime);
  }
};

describe('codec round trip', () => {
  it('gives every packet its layout length', () => {
    for (const kind of PACKET_KINDS) {
      expect(encodePacket({ token: 1, ltp: 1 }, kind)).toHaveLength(PACKET_LENGTH[kind]);
    }
  });

  it('decodes random packets of every kind, in one frame, to the values encoded', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fieldsArb, fc.constantFrom(...PACKET_KINDS)), { minLength: 1, maxLength: 12 }),
        fc.constantFrom<TickTimeZone>('ist', 'utc'),
        orderArb,
        (packets, zone, order) => {
          const frame = encodeFrame(packets.map(([f, kind]) => encodePacket(f, kind, order)));
          const r = decodeFrame(frame, RECEIVED, new TickSequencer(), {
            tickTimeZone: zone,
            priceDivisor: 100,
          });
          expect(r.malformed).toEqual([]);
          expect(r.heartbeat).toBe(false);
          expect(r.ticks).toHaveLength(packets.length);
          r.ticks.forEach((tick, i) => {
            const [f, kind] = packets[i]!;
            const { seq: _seq, ...values } = tick;
            expect(values).toEqual(expectedTick(f, kind, zone));
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('numbers the ticks of one token and time 0, 1, 2 within and across frames', () => {
    const sequencer = new TickSequencer();
    const packet = encodePacket({ token: 26000, ltp: 2_150_050, exchangeTime: 1_388_567_700 }, 'index32');
    const first = decodeFrame(encodeFrame([packet, packet]), RECEIVED, sequencer, {
      tickTimeZone: 'ist',
      priceDivisor: 100,
    });
    const second = decodeFrame(encodeFrame([packet]), RECEIVED, sequencer, {
      tickTimeZone: 'ist',
      priceDivisor: 100,
    });
    expect([...first.ticks, ...second.ticks].map((t) => t.seq)).toEqual([0, 1, 2]);
  });
});
