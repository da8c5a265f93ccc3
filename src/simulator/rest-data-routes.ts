import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from '../domain/candle.ts';
import type { Exchange } from '../domain/instrument.ts';
import {
  formatIstDateTime,
  istDateOfDayNumber,
  istDayNumber,
  istInstant,
  istTime,
  parseIstDate,
  parseIstTimeOfDay,
} from '../domain/ist.ts';
import { epochMs, MS_PER_MINUTE, type EpochMs } from '../domain/units.ts';
import type { SimBar } from './candle-model.ts';
import type { SimInstrument } from './instrument-list.ts';
import { MASTER_CSV_HEADER } from './master-row.ts';
import { authorise } from './rest-auth-routes.ts';
import type { RestDeps, RestRequest, RouteResult } from './rest-context.ts';
import { BAD_GATEWAY_REPLY, fail, ok, rateLimited, tokenError, type RestReply } from './rest-envelope.ts';
import type { CandleOffsetFormat } from './simulator-options.ts';

const EXCHANGES: readonly Exchange[] = ['NSE', 'NFO', 'BSE', 'BFO'];
/** Intraday routes name the exchange by number (mstock-protocol.md, "Historical candles"). */
const EXCHANGE_CODES: Readonly<Record<string, Exchange>> = { '1': 'NSE', '2': 'NFO', '4': 'BSE', '5': 'BFO' };
const INTERVALS = Object.keys(CANDLE_INTERVAL_MINUTES) as CandleInterval[];
/** A guard against ranges that would make the simulator generate years of minute bars. */
const MAX_RANGE_DAYS = 2000;

const isInterval = (s: string): s is CandleInterval => (INTERVALS as readonly string[]).includes(s);
const isExchange = (s: string): s is Exchange => (EXCHANGES as readonly string[]).includes(s);
const input = (message: string): RestReply => fail(400, message, 'InputException');

/** 'YYYY-MM-DD HH:MM:SS', 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD' (IST); a bare `to` date means its end. */
export const parseIstDateTime = (text: string, end: boolean): EpochMs | undefined => {
  const [datePart = '', timePart, ...rest] = text.trim().split(/[ T]/);
  const date = parseIstDate(datePart);
  if (date === undefined || rest.length > 0) return undefined;
  if (timePart === undefined) return istInstant(date, end ? istTime(23, 59, 59) : istTime(0, 0));
  const time = parseIstTimeOfDay(timePart);
  return time === undefined ? undefined : istInstant(date, time);
};

/** '2024-01-01T09:15:00+05': the IST wall clock with the offset written as configured. */
export const formatCandleTime = (at: EpochMs, offset: CandleOffsetFormat): string =>
  `${formatIstDateTime(at).replace(' ', 'T')}${offset}`;

const candleRow = (b: SimBar, offset: CandleOffsetFormat): unknown[] => [
  formatCandleTime(b.start, offset),
  b.open / 100,
  b.high / 100,
  b.low / 100,
  b.close / 100,
  b.volume,
];

/** The faults, the token and the rate limit, in the order a gateway would apply them. */
const gate = (req: RestRequest, deps: RestDeps): RestReply | undefined => {
  const { options, faults, rateLimit } = deps;
  const fault = faults.takeHistoricalFault();
  if (fault === 'bad-gateway') return BAD_GATEWAY_REPLY;
  if (fault === 'rate-limit') return rateLimited(options.rateLimitStatus);
  if (fault === 'expired-token') return tokenError(options.tokenErrorStatus, true);
  const auth = authorise(req, deps);
  if ('reply' in auth) return auth.reply;
  if (!rateLimit.tryTake()) return rateLimited(options.rateLimitStatus);
  return undefined;
};

const instrumentOf = (deps: RestDeps, exchange: Exchange, tokenText: string): SimInstrument | undefined => {
  if (!/^[1-9][0-9]{0,9}$/.test(tokenText)) return undefined;
  const instrument = deps.instruments.get(Number(tokenText));
  return instrument?.exchange === exchange ? instrument : undefined;
};

/**
 * Completed bars of `instrument` whose start lies in [from, to], past trading days and today up to
 * now; undefined when there are more than `max`. Bars before the simulator started are generated,
 * so the same range always gives the same bars; later ones are the trades the market made.
 */
const barsInRange = (
  deps: RestDeps,
  instrument: SimInstrument,
  interval: CandleInterval,
  from: EpochMs,
  to: EpochMs,
  max: number,
): SimBar[] | undefined => {
  const { marketSession, candles, options } = deps;
  const now = options.clock();
  const out: SimBar[] = [];
  for (let d = istDayNumber(from); d <= istDayNumber(to); d++) {
    const day = marketSession.tradingDay(istDateOfDayNumber(d));
    if (day === undefined) continue;
    const { open, close } = marketSession.sessionBounds(day);
    if (open >= now) break;
    for (const b of candles.bars(instrument, day, interval)) {
      const end =
        interval === 'day'
          ? close
          : Math.min(close, b.start + CANDLE_INTERVAL_MINUTES[interval] * MS_PER_MINUTE);
      if (b.start < from || b.start > to || end > now) continue;
      out.push(b);
      if (out.length > max) return undefined;
    }
  }
  return out;
};

const candlesReply = (
  deps: RestDeps,
  route: string,
  instrument: SimInstrument,
  interval: CandleInterval,
  from: EpochMs,
  to: EpochMs,
): RouteResult => {
  const max = deps.options.maxBarsPerRequest;
  const bars = barsInRange(deps, instrument, interval, from, to, max);
  if (bars === undefined) {
    return {
      route,
      reply: input(`Too many candles requested: at most ${max} per request. Reduce the date range.`),
    };
  }
  // The short-candles fault: a broker answering before its last bar is in.
  const served = bars.length > 0 && deps.faults.takeShortCandles() ? bars.slice(0, -1) : bars;
  const offset = deps.options.candleOffsetFormat;
  return { route, reply: ok({ candles: served.map((b) => candleRow(b, offset)) }), bars: served.length };
};

/** `GET /instruments/historical/{exchange}/{token}/{interval}?from=&to=` */
export const historical = (req: RestRequest, deps: RestDeps): RouteResult => {
  const route = 'historical';
  const blocked = gate(req, deps);
  if (blocked !== undefined) return { route, reply: blocked };
  const [, , exchange = '', token = '', interval = ''] = req.segments;
  if (!isExchange(exchange)) return { route, reply: input(`Invalid exchange: ${exchange}`) };
  if (!isInterval(interval)) return { route, reply: input(`Invalid interval: ${interval}`) };
  const instrument = instrumentOf(deps, exchange, token);
  if (instrument === undefined) return { route, reply: input(`Invalid instrument token: ${token}`) };
  const from = parseIstDateTime(req.query.get('from') ?? '', false);
  const to = parseIstDateTime(req.query.get('to') ?? '', true);
  if (from === undefined || to === undefined) {
    return { route, reply: input('from and to must be dates: YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (IST)') };
  }
  if (to < from) return { route, reply: input('from must not be after to') };
  if (istDayNumber(to) - istDayNumber(from) > MAX_RANGE_DAYS) {
    return { route, reply: input(`The date range is longer than ${MAX_RANGE_DAYS} days`) };
  }
  return candlesReply(deps, route, instrument, interval, from, to);
};

/** `GET /instruments/intraday/{exchangeCode}/{token}/{interval}`: today's completed bars. */
export const intraday = (req: RestRequest, deps: RestDeps): RouteResult => {
  const route = 'intraday';
  const blocked = gate(req, deps);
  if (blocked !== undefined) return { route, reply: blocked };
  const [, , code = '', token = '', interval = ''] = req.segments;
  const exchange = EXCHANGE_CODES[code];
  if (exchange === undefined) return { route, reply: input(`Invalid exchange code: ${code}`) };
  if (!isInterval(interval)) return { route, reply: input(`Invalid interval: ${interval}`) };
  const instrument = instrumentOf(deps, exchange, token);
  if (instrument === undefined) return { route, reply: input(`Invalid instrument token: ${token}`) };
  const now = epochMs(deps.options.clock());
  const today = istInstant(istDateOfDayNumber(istDayNumber(now)), istTime(0, 0));
  return candlesReply(deps, route, instrument, interval, today, now);
};

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * `GET /instruments/scriptmaster`: the instrument master as CSV: the large universe's, or the
 * instruments quoted (index rows only when configured).
 */
export const scriptMaster = (req: RestRequest, deps: RestDeps): RestReply => {
  const auth = authorise(req, deps);
  if ('reply' in auth) return auth.reply;
  if (deps.universe !== undefined) return { kind: 'csv', status: 200, body: deps.universe.csv() };
  const rows = [MASTER_CSV_HEADER];
  for (const q of deps.market.quotes) {
    const { token, symbol, exchange, kind } = q.instrument;
    if (kind === 'index' && !deps.options.scriptMasterIncludesIndices) continue;
    const type = kind === 'index' ? 'INDEX' : 'EQ';
    const segment = kind === 'index' ? 'INDICES' : exchange;
    rows.push(
      [
        String(token),
        String(token),
        csvField(symbol),
        csvField(symbol),
        String(q.ltp / 100),
        '',
        '0',
        '0.05',
        '1',
        type,
        segment,
        exchange,
      ].join(','),
    );
  }
  return { kind: 'csv', status: 200, body: `${rows.join('\n')}\n` };
};
