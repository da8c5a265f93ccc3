import { afterEach, describe, expect, it } from 'vitest';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { type RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import type { SimulatorOptions } from '../../../src/simulator/simulator-options.ts';
import { get, loginWithTotp, THURSDAY_1000_IST } from './sim-test-client.ts';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const start = async (options: Partial<SimulatorOptions> = {}) => {
  sim = await startSimulator({
    clock: () => THURSDAY_1000_IST,
    rate: 0,
    historicalRatePerSecond: 0,
    ...options,
  });
  return { s: sim, token: await loginWithTotp(sim) };
};

type Row = [string, number, number, number, number, number];
const candlesOf = (json: unknown): Row[] => (json as { data: { candles: Row[] } }).data.candles;
const historical = (
  s: RunningSimulator,
  token: string,
  range: string,
  interval = 'minute',
  instrument = 2885,
) => get(s, `instruments/historical/NSE/${instrument}/${interval}?${range}`, token);

describe('simulator historical candles', () => {
  it('gives 375 one-minute bars for a session, as [time, o, h, l, c, v] with an IST +05 time', async () => {
    const { s, token } = await start();
    const r = await historical(s, token, 'from=2025-11-19+09:15:00&to=2025-11-19+15:30:00');
    expect(r.status).toBe(200);
    const rows = candlesOf(r.json);
    expect(rows).toHaveLength(375);
    expect(rows[0]![0]).toBe('2025-11-19T09:15:00+05');
    expect(rows.at(-1)![0]).toBe('2025-11-19T15:29:00+05');
    for (const [, o, h, l, c, v] of rows) {
      expect(l).toBeLessThanOrEqual(Math.min(o, c));
      expect(h).toBeGreaterThanOrEqual(Math.max(o, c));
      expect(v).toBeGreaterThan(0);
    }
  });

  it('gives the same bars for the same range, every time', async () => {
    const { s, token } = await start();
    const range = 'from=2025-11-18&to=2025-11-19';
    const first = await historical(s, token, range);
    expect(candlesOf((await historical(s, token, range)).json)).toEqual(candlesOf(first.json));
    expect(candlesOf(first.json)).toHaveLength(750);
  });

  it('refuses more than 1000 bars in one request, and serves 5 trading days in 1000-bar pieces', async () => {
    const { s, token } = await start();
    const tooMany = await historical(s, token, 'from=2025-11-13&to=2025-11-19');
    expect(tooMany.status).toBe(400);
    expect(tooMany.json).toMatchObject({ status: 'error', error_type: 'InputException', data: null });
    const pieces = [
      'from=2025-11-13&to=2025-11-14',
      'from=2025-11-15&to=2025-11-17',
      'from=2025-11-18&to=2025-11-19',
    ];
    const counts = [];
    for (const p of pieces) counts.push(candlesOf((await historical(s, token, p)).json).length);
    // Thu 13, Fri 14 | (weekend), Mon 17 | Tue 18, Wed 19.
    expect(counts).toEqual([750, 375, 750]);
    const bars = s
      .stats()
      .rest.requests.filter((q) => q.route === 'historical')
      .map((q) => q.bars);
    expect(bars).toEqual([undefined, 750, 375, 750]);
  });

  it('gives only completed bars of today, and the same from the intraday route', async () => {
    const { s, token } = await start();
    const today = candlesOf((await historical(s, token, 'from=2025-11-20&to=2025-11-20')).json);
    expect(today).toHaveLength(45);
    expect(today.at(-1)![0]).toBe('2025-11-20T09:59:00+05');
    const intraday = await get(s, 'instruments/intraday/1/2885/minute', token);
    expect(candlesOf(intraday.json)).toEqual(today);
    expect((await get(s, 'instruments/intraday/3/2885/minute', token)).status).toBe(400);
  });

  it('gives one day bar per trading day, labelled 00:00 IST, skipping weekends and holidays', async () => {
    const { s, token } = await start();
    const rows = candlesOf((await historical(s, token, 'from=2025-11-01&to=2025-11-19', 'day', 26000)).json);
    const session = makeMarketSession();
    const expected = Array.from({ length: 19 }, (_, i) => `2025-11-${String(i + 1).padStart(2, '0')}`).filter(
      (d) => session.isTradingDay(d),
    );
    expect(rows.map((r) => r[0])).toEqual(expected.map((d) => `${d}T00:00:00+05`));
    expect(rows.map((r) => r[0])).not.toContain('2025-11-05T00:00:00+05'); // Guru Nanak Jayanti
    expect(rows.every((r) => r[5] === 0)).toBe(true); // an index trades no volume
  });

  it('writes the offset as configured', async () => {
    const { s, token } = await start({ candleOffsetFormat: '+05:30' });
    const [first] = candlesOf(
      (await historical(s, token, 'from=2025-11-19+09:15:00&to=2025-11-19+09:20:00')).json,
    );
    expect(first![0]).toBe('2025-11-19T09:15:00+05:30');
    expect(Date.parse(first![0])).toBe(Date.parse('2025-11-19T03:45:00Z'));
  });

  it('refuses bad exchanges, intervals, tokens and dates with InputException', async () => {
    const { s, token } = await start();
    for (const path of [
      'instruments/historical/MCX/2885/minute?from=2025-11-19&to=2025-11-19',
      'instruments/historical/NSE/2885/2minute?from=2025-11-19&to=2025-11-19',
      'instruments/historical/NSE/999999/minute?from=2025-11-19&to=2025-11-19',
      'instruments/historical/NSE/2885/minute?from=2025-11-32&to=2025-11-19',
      'instruments/historical/NSE/2885/minute?from=2025-11-19&to=2025-11-18',
    ]) {
      const r = await get(s, path, token);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ status: 'error', error_type: 'InputException' });
    }
  });
});

describe('simulator historical rate limit and faults', () => {
  it('answers a second request within the second with 429 and the error envelope', async () => {
    const { s, token } = await start({ historicalRatePerSecond: 1 });
    const range = 'from=2025-11-19&to=2025-11-19';
    expect((await historical(s, token, range)).status).toBe(200);
    const limited = await historical(s, token, range);
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ status: 'error', error_type: 'GeneralException', data: null });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await historical(s, token, range)).status).toBe(200);
    expect(s.stats().rest.requests.map((q) => q.status)).toEqual([200, 200, 200, 429, 200]);
  });

  it('uses the configured throttling status', async () => {
    const { s, token } = await start({ historicalRatePerSecond: 1, rateLimitStatus: 503 });
    await historical(s, token, 'from=2025-11-19&to=2025-11-19');
    expect((await historical(s, token, 'from=2025-11-19&to=2025-11-19')).status).toBe(503);
  });

  it('answers the next calls with an HTML 502, a 429 or an expired token when told to', async () => {
    const { s, token } = await start();
    const range = 'from=2025-11-19&to=2025-11-19';
    s.faults.failHistorical('bad-gateway', 2);
    for (let i = 0; i < 2; i++) {
      const r = await historical(s, token, range);
      expect(r.status).toBe(502);
      expect(r.headers.get('content-type')).toBe('text/html');
      expect(r.text).toContain('<h1>502 Bad Gateway</h1>');
    }
    expect((await historical(s, token, range)).status).toBe(200);
    s.faults.failHistorical('rate-limit', 1);
    expect((await historical(s, token, range)).status).toBe(429);
    s.faults.failHistorical('expired-token', 1);
    const expired = await historical(s, token, range);
    expect(expired.status).toBe(403);
    expect(expired.json).toMatchObject({ error_type: 'TokenException' });
    expect((await historical(s, token, range)).status).toBe(200);
  });
});
