import * as t from 'io-ts';
import { chunkIdOf, type Chunk, type ChunkId } from '../domain/backfill-plan-chunks.ts';
import { planId, type PlanId } from '../domain/backfill-plan-types.ts';
import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from '../domain/candle.ts';
import {
  instrumentToken,
  isInstrumentToken,
  type Exchange,
  type InstrumentToken,
} from '../domain/instrument.ts';
import { parseIstDate, type IstDate } from '../domain/ist.ts';
import type { TradingDay } from '../domain/market-session.ts';
import { epochMs, type EpochMs } from '../domain/units.ts';

/**
 * io-ts codecs for the domain values the backfill stores (plan events) and passes between its
 * processes (IPC): each checks the value and builds it with the domain's own constructor.
 */

const stringType = <A extends string>(name: string, make: (s: string) => A | undefined): t.Type<A, string> =>
  new t.Type<A, string, unknown>(
    name,
    (u): u is A => typeof u === 'string' && make(u) === u,
    (u, c) => {
      const v = typeof u === 'string' ? make(u) : undefined;
      return v === undefined ? t.failure(u, c) : t.success(v);
    },
    (a) => a,
  );

export const TokenC = stringType<InstrumentToken>('an instrument token', (s) =>
  isInstrumentToken(s) ? instrumentToken(s) : undefined,
);

/** Plan ids name event streams and folders: the characters of a command id, and run suffixes. */
export const PLAN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,159}$/;
export const PlanIdC = stringType<PlanId>('a plan id', (s) =>
  PLAN_ID_PATTERN.test(s) && !s.includes('..') ? planId(s) : undefined,
);

export const EpochMsC = new t.Type<EpochMs, number, unknown>(
  'epoch milliseconds',
  (u): u is EpochMs => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) =>
    typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? t.success(epochMs(u)) : t.failure(u, c),
  (a) => a,
);

export const CountC = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'a whole number');

export const IntervalC = t.keyof(CANDLE_INTERVAL_MINUTES, 'a candle interval');

const CHUNK_ID = /^(\d+):([a-z0-9]+):(\d+):(\d+)$/;

const isInterval = (s: string): s is CandleInterval => Object.hasOwn(CANDLE_INTERVAL_MINUTES, s);

/** `token:interval:from:to`, as `chunkIdOf` makes it; rebuilt by it, so no unchecked string becomes an id. */
export const parseChunkId = (s: string): ChunkId | undefined => {
  const m = CHUNK_ID.exec(s);
  if (m === null) return undefined;
  const [, token = '', interval = '', from = '', to = ''] = m;
  if (!isInstrumentToken(token) || !isInterval(interval)) return undefined;
  const id = chunkIdOf(instrumentToken(token), interval, epochMs(Number(from)), epochMs(Number(to)));
  return id === s ? id : undefined;
};

export const ChunkIdC = stringType<ChunkId>('a chunk id (token:interval:from:to)', parseChunkId);

/** A calendar day in IST, trading or not (the day an instrument master was taken, say). */
export const IstDateC = stringType<IstDate>('a date YYYY-MM-DD', parseIstDate);

/** The exchanges tickflow follows; others (MCX, CDS) are not decoded into an `Exchange`. */
export const ExchangeC: t.Type<Exchange, string> = t.keyof(
  { NSE: null, BSE: null, NFO: null, BFO: null },
  'an exchange (NSE, BSE, NFO, BFO)',
);

/**
 * A trading day as stored in a plan. It was a trading day when the plan was made; a holiday added
 * to the config since must not make the stored plan unreadable, so only the date form is checked.
 */
export const TradingDayC = stringType<TradingDay>('a date YYYY-MM-DD', (s) =>
  parseIstDate(s) === undefined ? undefined : (s as TradingDay),
);

const ChunkFields = t.type({
  id: ChunkIdC,
  token: TokenC,
  interval: IntervalC,
  from: EpochMsC,
  to: EpochMsC,
  bars: CountC,
});

/** A chunk whose id agrees with its fields. */
export const ChunkC = new t.Type<Chunk, unknown, unknown>(
  'a chunk',
  (u): u is Chunk => ChunkFields.is(u),
  (u, c) => {
    const r = ChunkFields.validate(u, c);
    if (r._tag === 'Left') return r;
    const k = r.right;
    return chunkIdOf(k.token, k.interval, k.from, k.to) === k.id
      ? t.success(k)
      : t.failure(u, c, 'chunk id disagrees with its fields');
  },
  (k) => ChunkFields.encode(k),
);
