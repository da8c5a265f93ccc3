import * as t from 'io-ts';
import { either as E } from 'fp-ts';
import { isInstrumentToken, type Exchange, type InstrumentToken } from '../../domain/instrument.ts';
import { ExchangeC } from '../../ports/wire-codecs.ts';
import { parseIstDate, type IstDate } from '../../domain/ist.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { TickTimeZone } from '../../protocol/mstock/feed-time.ts';
import type { SubscriptionMode } from '../../ports/broker-feed.ts';

/**
 * What a session file says about itself, as JSON after the fixed prelude (session-framing.ts).
 * Fields may be added without a new format version: readers ignore those they do not know.
 */
export interface SessionHeader {
  /** Whose wire format the frames are in. */
  readonly feed: 'mstock';
  /** The stream's subscribed tokens, without repeats: only their ticks were published. */
  readonly instruments: readonly InstrumentToken[];
  readonly mode: SubscriptionMode;
  /** How the frames were decoded live (mstock-protocol.md, open question 1; MSTOCK_TICK_TIME_ZONE). */
  readonly tickTimeZone: TickTimeZone;
  readonly priceDivisor: number;
  /**
   * The exchange live stamped on each token's ticks (the packets carry only the token), so a
   * replay stamps the same; absent in files recorded before ticks carried an exchange.
   */
  readonly exchanges?: Readonly<Record<string, Exchange>>;
  /** When the feed stream began; the files of one stream share it. */
  readonly streamStartedAt: EpochMs;
  /** 1 for the stream's first file, then one more per IST day the stream ran into. */
  readonly part: number;
  /** The IST calendar day whose records this file holds. */
  readonly istDate: IstDate;
  /** When this file was begun. */
  readonly startedAt: EpochMs;
  /** How blocks are stored; each block also says so in its flags. */
  readonly compression: 'gzip' | 'none';
  /** What wrote the file, for people reading it later. */
  readonly recorder: string;
}

const Token = new t.Type<InstrumentToken, string, unknown>(
  'InstrumentToken',
  (u): u is InstrumentToken => typeof u === 'string' && isInstrumentToken(u),
  (u, c) => (typeof u === 'string' && isInstrumentToken(u) ? t.success(u) : t.failure(u, c)),
  (a) => a,
);
const Day = new t.Type<IstDate, string, unknown>(
  'IstDate',
  (u): u is IstDate => typeof u === 'string' && parseIstDate(u) !== undefined,
  (u, c) => {
    const d = typeof u === 'string' ? parseIstDate(u) : undefined;
    return d === undefined ? t.failure(u, c) : t.success(d);
  },
  (a) => a,
);
const Ms = new t.Type<EpochMs, number, unknown>(
  'EpochMs',
  (u): u is EpochMs => typeof u === 'number' && Number.isSafeInteger(u),
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) ? t.success(u as EpochMs) : t.failure(u, c)),
  (a) => a,
);
const Positive = t.refinement(t.number, (n) => Number.isFinite(n) && n > 0, 'PositiveNumber');
const PartNumber = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 1, 'PartNumber');

const Exchanges = t.record(t.string, ExchangeC);

const SessionHeaderFields = t.type({
  feed: t.literal('mstock'),
  instruments: t.readonlyArray(Token),
  mode: t.keyof({ ltp: null, quote: null, full: null }),
  tickTimeZone: t.keyof({ ist: null, utc: null }),
  priceDivisor: Positive,
  streamStartedAt: Ms,
  part: PartNumber,
  istDate: Day,
  startedAt: Ms,
  compression: t.keyof({ gzip: null, none: null }),
  recorder: t.string,
});
const SessionHeaderCodec = t.intersection([SessionHeaderFields, t.partial({ exchanges: Exchanges })]);

/** The header as JSON, fields in a fixed order. */
export const encodeSessionHeader = (header: SessionHeader): string =>
  JSON.stringify({
    feed: header.feed,
    instruments: header.instruments,
    mode: header.mode,
    tickTimeZone: header.tickTimeZone,
    priceDivisor: header.priceDivisor,
    ...(header.exchanges === undefined ? {} : { exchanges: header.exchanges }),
    streamStartedAt: header.streamStartedAt,
    part: header.part,
    istDate: header.istDate,
    startedAt: header.startedAt,
    compression: header.compression,
    recorder: header.recorder,
  });

/** The header from its JSON text, or what is wrong with it. */
export const decodeSessionHeader = (json: string): E.Either<string, SessionHeader> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    return E.left(`header is not JSON (${(e as Error).message})`);
  }
  const r = SessionHeaderCodec.decode(parsed);
  if (E.isRight(r)) {
    const { feed, instruments, mode, tickTimeZone, priceDivisor, streamStartedAt, part } = r.right;
    const { istDate, startedAt, compression, recorder, exchanges } = r.right;
    return E.right({
      feed,
      instruments,
      mode,
      tickTimeZone,
      priceDivisor,
      ...(exchanges === undefined ? {} : { exchanges }),
      streamStartedAt,
      part,
      istDate,
      startedAt,
      compression,
      recorder,
    });
  }
  const fields = r.left.map((err) =>
    err.context
      .map((c) => c.key)
      .filter(Boolean)
      .join('.'),
  );
  return E.left(`header field(s) invalid: ${[...new Set(fields)].join(', ')}`);
};
