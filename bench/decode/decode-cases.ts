import { packagedInstrumentFile } from '../../src/adapters/instruments/packaged-instrument-file.ts';
import { encodeFrame, encodePacket } from '../../src/simulator/encode-frame.ts';
import { PACKET_KINDS, type PacketKind } from '../../src/protocol/mstock/packet-layout.ts';
import { makeMarketSession } from '../../src/domain/market-session.ts';
import { epochMs } from '../../src/domain/units.ts';
import { makeCandleModel } from '../../src/simulator/candle-model.ts';
import { loadInstrumentFile, type SimInstrument } from '../../src/simulator/instrument-list.ts';
import { makeSimMarket, type SimMarket } from '../../src/simulator/market-model.ts';
import { quoteFields } from '../../src/simulator/quote-packets.ts';
import { hashSeed, makeRandom } from '../../src/simulator/seeded-random.ts';

/** One decode case: frames of the same shape with different market values, decoded in turn. */
export interface DecodeCase {
  readonly name: string;
  readonly description: string;
  readonly packetsPerFrame: number;
  readonly frames: readonly Uint8Array[];
}

/** Frames per case: enough that the loop does not decode the very same bytes back to back. */
const VARIANTS = 16;
/** A session day with the market open, so the simulated quotes carry today's values. */
const MARKET_TIME = epochMs(Date.parse('2025-11-20T11:00:00+05:30'));

const packetOf = (market: SimMarket, i: SimInstrument, kind: PacketKind): Uint8Array => {
  const q = market.quote(i.token);
  if (q === undefined) throw new Error(`no quote for ${i.token}`);
  return encodePacket(quoteFields(q, 'ist', true), kind);
};

/** Moves the market a few ticks per instrument, so each variant carries new prices and volumes. */
const advance = (market: SimMarket, instruments: readonly SimInstrument[]): void => {
  for (let k = 0; k < instruments.length * 3; k++) market.step(MARKET_TIME);
};

/**
 * The frames the decode benchmark reads, built with the simulator's market model and the codec's
 * own encoder: for each packet kind a frame of 51 packets of that kind (one per Nifty 50 token),
 * then realistic frames as the feed sends them (the equities' packet with the index's).
 */
export const decodeCases = async (): Promise<DecodeCase[]> => {
  const instruments = await loadInstrumentFile(packagedInstrumentFile());
  const session = makeMarketSession();
  const market = makeSimMarket(
    instruments,
    makeCandleModel(1, session, 'midnight'),
    session,
    makeRandom(hashSeed(1, 'bench')),
    MARKET_TIME,
  );
  const frameOf = (kindOf: (i: SimInstrument) => PacketKind, repeat = 1): Uint8Array => {
    const packets: Uint8Array[] = [];
    for (let r = 0; r < repeat; r++) {
      for (const i of instruments) packets.push(packetOf(market, i, kindOf(i)));
      advance(market, instruments);
    }
    return encodeFrame(packets);
  };
  const variants = (kindOf: (i: SimInstrument) => PacketKind, repeat = 1): Uint8Array[] =>
    Array.from({ length: VARIANTS }, () => frameOf(kindOf, repeat));
  const mixed =
    (equity: PacketKind, index: PacketKind) =>
    (i: SimInstrument): PacketKind =>
      i.kind === 'index' ? index : equity;

  const n = instruments.length;
  const cases: DecodeCase[] = PACKET_KINDS.map((kind) => ({
    name: kind,
    description: `${n} ${kind} packets a frame`,
    packetsPerFrame: n,
    frames: variants(() => kind),
  }));
  const burst = Math.floor(1000 / n);
  cases.push(
    {
      name: 'frame-full',
      description: `the Nifty 50 in full mode: ${n - 1} full184 + 1 index32 a frame`,
      packetsPerFrame: n,
      frames: variants(mixed('full184', 'index32')),
    },
    {
      name: 'frame-quote',
      description: `the Nifty 50 in quote mode: ${n - 1} quote44 + 1 index28 a frame`,
      packetsPerFrame: n,
      frames: variants(mixed('quote44', 'index28')),
    },
    {
      name: 'frame-full-extended',
      description: `m.Stock's extended forms: ${n - 1} full200 + 1 index48 a frame`,
      packetsPerFrame: n,
      frames: variants(mixed('full200', 'index48')),
    },
    {
      name: 'frame-full-burst',
      description: `a burst as the simulator sends at high rates: ${burst * n} packets (full184/index32) a frame`,
      packetsPerFrame: burst * n,
      frames: variants(mixed('full184', 'index32'), burst),
    },
  );
  return cases;
};
