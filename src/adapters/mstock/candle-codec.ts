import * as t from 'io-ts';
import { either as E } from 'fp-ts';
import type { Candle } from '../../domain/candle.ts';
import { IST_OFFSET_MS } from '../../domain/ist.ts';
import type { InstrumentToken } from '../../domain/instrument.ts';
import { MS_PER_HOUR, MS_PER_MINUTE, rupees, type EpochMs } from '../../domain/units.ts';

const STAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * A candle time as the broker writes it: `2024-01-01T09:15:00+05`. The offset is cut to `+05` but
 * means IST, +05:30 (mstock-protocol.md, Historical candles), so a bare `+05` reads as +05:30;
 * `+0530`, `+05:30` and `Z` read as written, and a time with no offset is IST wall-clock.
 */
export const parseCandleTime = (text: string): EpochMs | undefined => {
  const m = STAMP.exec(text);
  if (m === null) return undefined;
  const part = (i: number): number => Number(m[i] ?? 0);
  const y = part(1);
  const mo = part(2);
  const d = part(3);
  const h = part(4);
  const mi = part(5);
  const s = part(6);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2024-02-30 over into March: refuse dates that do not exist.
  if (new Date(local).getUTCDate() !== d) return undefined;
  let offsetMs: number;
  if (m[7] === undefined) offsetMs = IST_OFFSET_MS;
  else if (m[7] === 'Z') offsetMs = 0;
  else {
    const hours = Number(m[9]);
    const minutes = m[10] === undefined ? (hours === 5 ? 30 : 0) : Number(m[10]);
    offsetMs = (m[8] === '-' ? -1 : 1) * (hours * MS_PER_HOUR + minutes * MS_PER_MINUTE);
  }
  return (local - offsetMs) as EpochMs;
};

const CandleTime = new t.Type<EpochMs, string, unknown>(
  'CandleTime',
  (u): u is EpochMs => typeof u === 'number',
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'not a string');
    const at = parseCandleTime(u);
    return at === undefined ? t.failure(u, c, 'not a candle time') : t.success(at);
  },
  (a) => new Date(a).toISOString(),
);
const Finite = t.refinement(t.number, Number.isFinite, 'FiniteNumber');
const Volume = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0, 'Volume');
const RowFields = t.type({
  start: CandleTime,
  open: Finite,
  high: Finite,
  low: Finite,
  close: Finite,
  volume: Volume,
});
/**
 * `[time, open, high, low, close, volume]`, prices in rupees; a seventh element (open interest)
 * is ignored. Read through named fields, so a failure says which one.
 */
const CandleRow = new t.Type<t.TypeOf<typeof RowFields>, unknown, unknown>(
  'CandleRow',
  RowFields.is,
  (u, c) =>
    t.UnknownArray.is(u) && u.length >= 6
      ? RowFields.validate({ start: u[0], open: u[1], high: u[2], low: u[3], close: u[4], volume: u[5] }, c)
      : t.failure(u, c, 'a candle row is [time, open, high, low, close, volume]'),
  (a) => [RowFields.encode(a).start, a.open, a.high, a.low, a.close, a.volume],
);
export const CandlesData = t.type({ candles: t.readonlyArray(CandleRow) });

export interface CandleDecodeError {
  readonly kind: 'CandleDecodeError';
  /** Where the data failed, e.g. `candles.3.0`; never the data itself. */
  readonly paths: readonly string[];
}

/** The `data` of a historical answer as candles of `token`, in the order the broker sent them. */
export const decodeCandles = (
  data: unknown,
  token: InstrumentToken,
): E.Either<CandleDecodeError, Candle[]> => {
  const result = CandlesData.decode(data);
  if (E.isLeft(result)) {
    const paths = result.left.map((err) =>
      err.context
        .map((c) => c.key)
        .filter((k) => k !== '')
        .join('.'),
    );
    return E.left({ kind: 'CandleDecodeError', paths: [...new Set(paths)].slice(0, 5) });
  }
  return E.right(
    result.right.candles.map(({ start, open, high, low, close, volume }) => ({
      token,
      start,
      open: rupees(open),
      high: rupees(high),
      low: rupees(low),
      close: rupees(close),
      volume,
    })),
  );
};
