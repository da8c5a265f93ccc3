import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import type { Sleep } from '../../../src/adapters/mstock/abortable.ts';
import { MstockHistoricalData } from '../../../src/adapters/mstock/mstock-historical-data.ts';
import { MstockHttpClient } from '../../../src/adapters/mstock/mstock-http-client.ts';
import { mstockSettings } from '../../../src/adapters/mstock/mstock-settings.ts';
import { SecretMasker } from '../../../src/adapters/mstock/secret-masker.ts';
import { SessionManager } from '../../../src/adapters/mstock/session-manager.ts';
import { istInstant, istTime, parseIstDate } from '../../../src/domain/ist.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { EpochMs } from '../../../src/domain/units.ts';
import type { CandleRequest } from '../../../src/ports/historical-data.ts';
import { fail, fakeBrokerFetch, html502, ok, type RecordedRequest, type Route } from './fake-broker-fetch.ts';

const at = (date: string, h: number, m: number): EpochMs => istInstant(parseIstDate(date)!, istTime(h, m));
const token = instrumentToken('2885');
const WEEK: CandleRequest = {
  token,
  exchange: 'NSE',
  interval: 'minute',
  from: at('2025-03-03', 9, 15),
  to: at('2025-03-07', 15, 29),
};

const pad = (n: number) => String(n).padStart(2, '0');
/** Bars of the window's days, 09:15–15:29 IST, with the time written with a `+05` offset. */
const barsFor = (request: RecordedRequest): unknown[][] => {
  const query = new URLSearchParams(request.rawQuery);
  const from = query.get('from')!.slice(0, 10);
  const to = query.get('to')!.slice(0, 10);
  const rows: unknown[][] = [];
  for (let d = parseIstDate(from)!; d <= parseIstDate(to)!; d = parseIstDate(nextDay(d))!) {
    for (let i = 0; i < 375; i++) {
      const minutes = 9 * 60 + 15 + i;
      rows.push([`${d}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}:00+05`, 100, 101, 99, 100.5, i]);
    }
  }
  return rows;
};
const nextDay = (d: string): string =>
  new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const login: Route = ({ path }) =>
  path === '/connect/login'
    ? ok({})
    : path === '/session/verifytotp'
      ? ok({ access_token: `tok${Math.random()}` })
      : undefined;

const setup = (historical: Route, settings = mstockSettings({ historical: { maxAttempts: 3 } })) => {
  const clock = new ManualClock(at('2025-03-10', 8, 0));
  const times: number[] = [];
  const sleeps: number[] = [];
  const sleep: Sleep = (ms, signal) => {
    signal?.throwIfAborted();
    sleeps.push(ms);
    clock.advance(ms);
    return Promise.resolve();
  };
  const fake = fakeBrokerFetch(login, (request) => {
    if (!request.path.startsWith('/instruments/historical/')) return undefined;
    times.push(clock.now());
    return historical(request);
  });
  const masker = new SecretMasker();
  const metrics = new MemoryMetrics();
  const logger = new MemoryLogger('debug');
  const client = new MstockHttpClient({
    apiUrl: 'https://api.example',
    requestTimeoutMs: 1000,
    metrics,
    masker,
    fetch: fake.fetch,
  });
  const session = new SessionManager({
    client,
    credentials: { username: 'u', password: 'p', apiKey: 'k', totpSecret: 'JBSWY3DPEHPK3PXP' },
    settings: settings.session,
    masker,
    clock,
    logger,
  });
  const data = new MstockHistoricalData({
    client,
    session,
    settings: settings.historical,
    clock,
    logger,
    sleep,
    random: () => 0.5,
  });
  const historicalRequests = () => fake.requests.filter((r) => r.path.startsWith('/instruments/historical/'));
  return { data, times, sleeps, fake, historicalRequests, metrics };
};

describe('MstockHistoricalData', () => {
  it('fetches a week of 1-minute bars in three ≤ 1000-bar requests, one a second, sorted and de-duplicated', async () => {
    // The broker answers each window with its whole days, so neighbouring answers could overlap.
    const { data, times, historicalRequests } = setup((r) => ok({ candles: barsFor(r).reverse() }));
    const candles = await data.candles(WEEK);
    const requests = historicalRequests();
    expect(requests.map((r) => `${r.path}?${r.rawQuery}`)).toEqual([
      '/instruments/historical/NSE/2885/minute?from=2025-03-03+09:15:00&to=2025-03-04+23:59:59',
      '/instruments/historical/NSE/2885/minute?from=2025-03-05+00:00:00&to=2025-03-06+23:59:59',
      '/instruments/historical/NSE/2885/minute?from=2025-03-07+00:00:00&to=2025-03-07+15:29:00',
    ]);
    expect(times.map((t) => t - times[0]!)).toEqual([0, 1000, 2000]);
    expect(candles).toHaveLength(5 * 375);
    expect(candles[0]!.start).toBe(WEEK.from);
    expect(candles.at(-1)!.start).toBe(WEEK.to);
    for (let i = 1; i < candles.length; i++) expect(candles[i]!.start).toBeGreaterThan(candles[i - 1]!.start);
  });

  it('keeps only candles inside the range when the broker sends more', async () => {
    const { data } = setup((r) => ok({ candles: barsFor(r) }));
    const part = { ...WEEK, from: at('2025-03-03', 10, 0), to: at('2025-03-03', 10, 9) };
    const candles = await data.candles(part);
    expect(candles.map((c) => c.start)).toEqual(Array.from({ length: 10 }, (_, i) => part.from + i * 60_000));
  });

  it('retries 429 and the HTML 502 page with backoff, then succeeds', async () => {
    const answers = [fail(429, 'Too many requests', 'GeneralException'), html502()];
    const { data, sleeps, times, historicalRequests, metrics } = setup(
      (r) => answers.shift() ?? ok({ candles: barsFor(r) }),
    );
    const part = { ...WEEK, to: at('2025-03-03', 15, 29) };
    expect(await data.candles(part)).toHaveLength(375);
    expect(historicalRequests()).toHaveLength(3);
    // Full jitter with random 0.5: half of 1 s (then the rate limiter's remaining 500 ms), then half of 2 s.
    expect(sleeps).toEqual([500, 500, 1000]);
    expect(times.map((t) => t - times[0]!)).toEqual([0, 1000, 2000]);
    expect(metrics.value('external_api_calls_total', { endpoint: 'historical', status: '429' })).toBe(1);
    expect(metrics.value('external_api_calls_total', { endpoint: 'historical', status: '502' })).toBe(1);
  });

  it('gives up after the configured attempts with the typed error', async () => {
    const { data, historicalRequests } = setup(() => html502());
    await expect(data.candles(WEEK)).rejects.toMatchObject({ kind: 'BrokerUnavailable', status: 502 });
    expect(historicalRequests()).toHaveLength(3);
  });

  it('logs in again when the session has expired and goes on', async () => {
    let refused = false;
    const { data, fake } = setup((r) => {
      if (!refused) {
        refused = true;
        return fail(403, 'Invalid session', 'TokenException');
      }
      return ok({ candles: barsFor(r) });
    });
    expect(await data.candles({ ...WEEK, to: at('2025-03-03', 15, 29) })).toHaveLength(375);
    const tokens = fake.requests
      .filter((r) => r.path.startsWith('/instruments/historical/'))
      .map((r) => r.headers.get('authorization'));
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(fake.requests.filter((r) => r.path === '/connect/login')).toHaveLength(2);
  });

  it('does not retry an answer it cannot read', async () => {
    const { data, historicalRequests } = setup(() => ok({ candles: [['not a time', 1, 2, 3, 4, 5]] }));
    await expect(data.candles(WEEK)).rejects.toMatchObject({ kind: 'UnexpectedResponse' });
    expect(historicalRequests()).toHaveLength(1);
  });

  it('stops on abort', async () => {
    const { data, historicalRequests } = setup((r) => ok({ candles: barsFor(r) }));
    await expect(data.candles(WEEK, AbortSignal.abort())).rejects.toThrow();
    expect(historicalRequests()).toHaveLength(0);
  });
});
