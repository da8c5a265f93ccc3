import { afterEach, describe, expect, it } from 'vitest';
import { InvalidCredentials, InvalidOtp } from '../../../src/adapters/mstock/mstock-errors.ts';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { EpochMs } from '../../../src/domain/units.ts';
import type { CandleRequest } from '../../../src/ports/historical-data.ts';
import {
  DEMO_API_KEY,
  DEMO_OTP,
  DEMO_PASSWORD,
  DEMO_USER,
} from '../../../src/simulator/simulator-options.ts';
import {
  DEMO_TOTP_LOGIN,
  startSimulatorAndAdapters,
  type SimulatorAndAdapters,
} from './simulator-harness.ts';

let h: SimulatorAndAdapters | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const historicalCalls = (harness: SimulatorAndAdapters) =>
  harness.sim.stats().rest.requests.filter((r) => r.route === 'historical');

/** Five trading days of 1-minute bars of RELIANCE, the last five whose bars are final now. */
const fiveDays = (): CandleRequest => {
  const market = makeMarketSession();
  const days = market.previousTradingDays(Date.now() as EpochMs, 5);
  return {
    token: instrumentToken('2885'),
    exchange: 'NSE',
    interval: 'minute',
    from: market.sessionBounds(days.at(-1)!).open,
    to: market.sessionBounds(days[0]!).close,
  };
};

describe('m.Stock login against the simulator', () => {
  it('logs in by TOTP', async () => {
    h = await startSimulatorAndAdapters();
    const token = await h.session.accessToken();
    expect(token.split('.')).toHaveLength(3);
    expect(h.session.current()?.method).toBe('totp');
    expect(h.sim.stats().rest.counts).toMatchObject({ 'connect/login': 1, 'session/verifytotp': 1 });
    expect(h.sim.stats().liveSessions).toBe(1);
  });

  it('logs in by OTP', async () => {
    h = await startSimulatorAndAdapters({
      credentials: { username: DEMO_USER, password: DEMO_PASSWORD, apiKey: DEMO_API_KEY, otp: DEMO_OTP },
    });
    await h.session.accessToken();
    expect(h.session.current()?.method).toBe('otp');
    expect(h.sim.stats().rest.counts).toMatchObject({ 'connect/login': 1, 'session/token': 1 });
  });

  it('refuses a wrong password with InvalidCredentials, leaking no secret', async () => {
    const password = 'Wr0ng-pass!';
    h = await startSimulatorAndAdapters({ credentials: { ...DEMO_TOTP_LOGIN, password } });
    const error = await h.session.accessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCredentials);
    const everything = `${String(error)} ${JSON.stringify(error)} ${JSON.stringify(h.logger.records)}`;
    for (const secret of [password, DEMO_API_KEY, DEMO_TOTP_LOGIN.totpSecret!]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('refuses a wrong OTP with InvalidOtp', async () => {
    h = await startSimulatorAndAdapters({
      credentials: { username: DEMO_USER, password: DEMO_PASSWORD, apiKey: DEMO_API_KEY, otp: '000000' },
    });
    const error = await h.session.accessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOtp);
    expect(String(error)).not.toContain('000000');
  });
});

describe('MstockHistoricalData against the simulator', () => {
  it('fetches 5 trading days of 1-minute bars in ≤ 1000-bar requests at 1 request a second', async () => {
    h = await startSimulatorAndAdapters({ sim: { historicalRatePerSecond: 1 } });
    const request = fiveDays();
    const candles = await h.historical.candles(request);
    expect(candles).toHaveLength(5 * 375);
    const calls = historicalCalls(h);
    // Calendar days between the first and the last session, two a request (see requestWindows).
    const days = Math.round((request.to - request.from) / 86_400_000) + 1;
    expect(calls).toHaveLength(Math.ceil(days / 2));
    // The simulator answers a faster client with 429: every call succeeded, none over the cap.
    expect(calls.every((c) => c.status === 200 && (c.bars ?? 0) <= 1000)).toBe(true);
    expect(calls.reduce((sum, c) => sum + (c.bars ?? 0), 0)).toBe(candles.length);
    expect(h.metrics.value('external_api_calls_total', { endpoint: 'historical', status: '200' })).toBe(
      calls.length,
    );
  });

  it.each([
    ['bad-gateway', 502],
    ['rate-limit', 429],
  ] as const)('retries %s (%i) and returns the candles', async (fault, status) => {
    h = await startSimulatorAndAdapters({
      sim: { historicalRatePerSecond: 0 },
      settings: { historical: { rateLimit: { perSecond: 0 } } },
    });
    h.sim.faults.failHistorical(fault, 2);
    const request = { ...fiveDays(), to: ((fiveDays().from as number) + 6 * 3_600_000) as EpochMs };
    const candles = await h.historical.candles(request);
    expect(candles).toHaveLength(361);
    expect(historicalCalls(h).map((c) => c.status)).toEqual([status, status, 200]);
    expect(
      h.metrics.value('external_api_calls_total', { endpoint: 'historical', status: String(status) }),
    ).toBe(2);
  });

  it('renews an expired session and goes on', async () => {
    h = await startSimulatorAndAdapters({
      sim: { historicalRatePerSecond: 0 },
      settings: { historical: { rateLimit: { perSecond: 0 } } },
    });
    const request = { ...fiveDays(), to: ((fiveDays().from as number) + 3_600_000) as EpochMs };
    expect(await h.historical.candles(request)).toHaveLength(61);
    expect(h.sim.faults.expireSessions()).toBe(1);
    expect(await h.historical.candles(request)).toHaveLength(61);
    expect(historicalCalls(h).map((c) => c.status)).toEqual([200, 403, 200]);
    expect(h.sim.stats().rest.counts['connect/login']).toBe(2);
  });
});
