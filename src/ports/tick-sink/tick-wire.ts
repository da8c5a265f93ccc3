import * as t from 'io-ts';
import { either as E } from 'fp-ts';
import { isInstrumentToken, type InstrumentToken } from '../../domain/instrument.ts';
import { tickId, tickTime, type Tick } from '../../domain/tick.ts';
import { msToSeconds, type EpochMs, type Rupees } from '../../domain/units.ts';
import { ExchangeC } from '../wire-codecs.ts';

/**
 * The JSON form of a tick on `market_ticks` (schema version 1). The seed's four fields `token`,
 * `ltp`, `volume` and `timestamp` (epoch seconds) are always present; the rest are optional
 * additions, so a consumer written for the seed keeps working. Published as
 * docs/schemas/market_ticks.v1.schema.json: a new optional field keeps the version; removing or
 * renaming one, or changing its type or meaning, bumps it.
 */
export const TICK_SCHEMA_VERSION = 1;

const TokenString = new t.Type<InstrumentToken, string, unknown>(
  'InstrumentToken',
  (u): u is InstrumentToken => typeof u === 'string' && isInstrumentToken(u),
  (u, c) => (typeof u === 'string' && isInstrumentToken(u) ? t.success(u) : t.failure(u, c)),
  (a) => a,
);
const FiniteNumber = t.refinement(t.number, Number.isFinite, 'FiniteNumber');
const Price = FiniteNumber as unknown as t.Type<Rupees, number>;
const Ms = t.refinement(t.number, Number.isSafeInteger, 'EpochMs') as unknown as t.Type<EpochMs, number>;
const Count = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'Count');
const DepthLevelWire = t.type({ quantity: Count, price: Price, orders: Count });

const TickWireRequired = t.type({
  token: TokenString,
  ltp: Price,
  volume: Count,
  timestamp: t.refinement(t.number, Number.isSafeInteger, 'EpochSeconds'),
  id: t.string,
  source: t.keyof({ live: null, backfill: null, replay: null }),
  receivedAt: Ms,
  seq: Count,
});
const TickWireOptional = t.partial({
  exchange: ExchangeC,
  exchangeTime: Ms,
  lastTradedQuantity: Count,
  averagePrice: Price,
  totalBuyQuantity: Count,
  totalSellQuantity: Count,
  open: Price,
  high: Price,
  low: Price,
  close: Price,
  change: Price,
  lastTradeTime: Ms,
  openInterest: Count,
  openInterestDayHigh: Count,
  openInterestDayLow: Count,
  upperCircuit: Price,
  lowerCircuit: Price,
  yearHigh: Price,
  yearLow: Price,
  depth: t.type({ bids: t.readonlyArray(DepthLevelWire), asks: t.readonlyArray(DepthLevelWire) }),
});

export const TickWire = t.intersection([TickWireRequired, TickWireOptional]);
export type TickWire = t.TypeOf<typeof TickWire>;

/**
 * The wire form of a tick. Field order is fixed, so equal ticks give byte-equal JSON; `exchange`
 * only when known (an undefined one is left out, as JSON would).
 */
export const toWire = (tick: Tick): TickWire => {
  const { token, exchange, ltp, volume, source, receivedAt, seq, ...rich } = tick;
  return {
    token,
    // Written after the token, wherever the tick holds it (the decoder's literals, a candle's).
    ...(exchange === undefined ? undefined : { exchange }),
    ltp,
    volume,
    timestamp: msToSeconds(tickTime(tick)),
    id: tickId(tick),
    source,
    receivedAt,
    seq,
    ...rich,
  };
};

export const encodeTick = (tick: Tick): string => JSON.stringify(toWire(tick));

/** Reads a tick back from its wire form; the seed fields `timestamp` and `id` are derived, so dropped. */
export const fromWire = (w: TickWire): Tick => {
  const { timestamp: _timestamp, id: _id, ...tick } = w;
  return tick;
};

export type TickDecodeError = { readonly kind: 'TickDecodeError'; readonly message: string };

export const decodeTick = (json: string): E.Either<TickDecodeError, Tick> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    return E.left({ kind: 'TickDecodeError', message: `not JSON: ${(e as Error).message}` });
  }
  const r = TickWire.decode(parsed);
  if (E.isLeft(r)) {
    const paths = r.left.map((err) =>
      err.context
        .map((c) => c.key)
        .filter(Boolean)
        .join('.'),
    );
    return E.left({ kind: 'TickDecodeError', message: `invalid tick at ${[...new Set(paths)].join(', ')}` });
  }
  return E.right(fromWire(r.right));
};
