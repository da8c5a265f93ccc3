import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { DEMO_CREDENTIALS, type SimulatorOptions } from '../../../src/simulator/simulator-options.ts';
import { totpAt } from '../../../src/simulator/totp-check.ts';
import { FeedProbe, get, loginWithTotp, post, THURSDAY_1000_IST } from './sim-test-client.ts';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const start = async (options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> => {
  sim = await startSimulator({ clock: () => THURSDAY_1000_IST, rate: 0, ...options });
  return sim;
};

const { user, password, apiKey, totpSecret, otp } = DEMO_CREDENTIALS;
const error = (message: string, errorType: string) => ({
  status: 'error',
  message,
  error_type: errorType,
  data: null,
});

describe('simulator login', () => {
  it('logs in with password then TOTP, answering with a JWT-like access token', async () => {
    const s = await start();
    const login = await post(s, 'connect/login', { username: user, password });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({
      status: 'success',
      data: { cid: 'demo', is_kyc: 'true', is_activate: true },
    });
    const session = await post(s, 'session/verifytotp', {
      api_key: apiKey,
      totp: totpAt(totpSecret, Date.now())!,
    });
    expect(session.status).toBe(200);
    expect(session.json).toMatchObject({
      status: 'success',
      data: { user_id: 'demo', api_key: apiKey, login_time: '2025-11-20 10:00:00' },
    });
    const token = (session.json as { data: { access_token: string } }).data.access_token;
    expect(token).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
    expect((await get(s, 'instruments/scriptmaster', token)).status).toBe(200);
  });

  it('logs in with password then the SMS OTP', async () => {
    const s = await start();
    await post(s, 'connect/login', { username: user, password });
    const session = await post(s, 'session/token', { api_key: apiKey, request_token: otp, checksum: 'L' });
    expect(session.json).toMatchObject({ status: 'success', data: { user_id: 'demo' } });
  });

  it('checks the TOTP against the market clock too, so a test clock can log in', async () => {
    const s = await start({ totpTimeSource: 'clock' });
    await post(s, 'connect/login', { username: user, password });
    const wall = await post(s, 'session/verifytotp', {
      api_key: apiKey,
      totp: totpAt(totpSecret, Date.now() + 3_600_000)!,
    });
    expect(wall.json).toEqual(error('Please enter correct TOTP', 'InputException'));
    const market = await post(s, 'session/verifytotp', {
      api_key: apiKey,
      totp: totpAt(totpSecret, THURSDAY_1000_IST)!,
    });
    expect(market.json).toMatchObject({ status: 'success' });
  });

  it('refuses a wrong password with the broker error, on HTTP 200 by default', async () => {
    const s = await start();
    const r = await post(s, 'connect/login', { username: user, password: 'wrong' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual(error('Invalid username or password (MACM1)', 'MiraeException'));
  });

  it('answers business errors with the configured status', async () => {
    const s = await start({ businessErrorStatus: 400 });
    const r = await post(s, 'connect/login', { username: 'nobody', password });
    expect(r.status).toBe(400);
  });

  it('refuses a wrong OTP, a wrong TOTP, a wrong API key, and a missing field', async () => {
    const s = await start();
    await post(s, 'connect/login', { username: user, password });
    expect(
      (await post(s, 'session/token', { api_key: apiKey, request_token: '000000', checksum: 'L' })).json,
    ).toEqual(error('Incorrect OTP entered. (-MACM60)', 'InputException'));
    expect((await post(s, 'session/verifytotp', { api_key: apiKey, totp: '000000' })).json).toEqual(
      error('Please enter correct TOTP', 'InputException'),
    );
    const key = await post(s, 'session/token', { api_key: 'nope', request_token: otp, checksum: 'L' });
    expect(key.status).toBe(403);
    expect(key.json).toMatchObject({ status: 'error', error_type: 'APIKeyException' });
    const missing = await post(s, 'session/token', { api_key: apiKey, request_token: otp });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ status: 'error', error_type: 'InputException' });
  });

  it('takes an OTP only shortly after connect/login', async () => {
    let now = THURSDAY_1000_IST;
    const s = await start({ clock: () => now });
    const noLogin = await post(s, 'session/token', { api_key: apiKey, request_token: otp, checksum: 'L' });
    expect(noLogin.json).toEqual(error('OTP has expired. Please login again.', 'InputException'));
    await post(s, 'connect/login', { username: user, password });
    now += 6 * 60_000;
    const late = await post(s, 'session/token', { api_key: apiKey, request_token: otp, checksum: 'L' });
    expect(late.json).toEqual(error('OTP has expired. Please login again.', 'InputException'));
  });

  it('gives each connect/login its own OTP window, so two clients logging in together both get a session', async () => {
    const s = await start();
    await post(s, 'connect/login', { username: user, password });
    await post(s, 'connect/login', { username: user, password });
    const totp = totpAt(totpSecret, Date.now())!;
    for (let i = 0; i < 2; i++) {
      expect((await post(s, 'session/verifytotp', { api_key: apiKey, totp })).json).toMatchObject({
        status: 'success',
      });
    }
    // Each login's window serves one session.
    expect((await post(s, 'session/verifytotp', { api_key: apiKey, totp })).json).toEqual(
      error('OTP has expired. Please login again.', 'InputException'),
    );
  });

  it('answers 400 with the documented body when X-Mirae-Version is missing', async () => {
    const s = await start();
    const r = await post(s, 'connect/login', { username: user, password }, {});
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ status: 'error', message: 'Please provide valid api version.', data: null });
    expect((await get(s, 'instruments/scriptmaster', undefined, { 'X-Mirae-Version': '2' })).status).toBe(
      400,
    );
  });

  it('wraps the envelope of configured routes in a one-element array', async () => {
    const s = await start({ arrayWrappedRoutes: ['connect/login'] });
    const r = await post(s, 'connect/login', { username: user, password });
    expect(r.json).toEqual([expect.objectContaining({ status: 'success' })]);
  });
});

describe('simulator sessions', () => {
  it('refuses a missing or unknown token with 403 TokenException', async () => {
    const s = await start();
    expect((await get(s, 'instruments/scriptmaster', undefined)).status).toBe(403);
    const r = await get(s, 'instruments/scriptmaster', 'eyJ.unknown.token');
    expect(r.status).toBe(403);
    expect(r.json).toEqual(error('Incorrect `api_key` or `access_token`.', 'TokenException'));
  });

  it('ends a session 12 hours after login', async () => {
    let now = Date.parse('2025-11-20T08:00:00+05:30');
    const s = await start({ clock: () => now, totpTimeSource: 'wall' });
    const token = await loginWithTotp(s);
    now += 12 * 3_600_000 - 1;
    expect((await get(s, 'instruments/scriptmaster', token)).status).toBe(200);
    now += 1;
    const r = await get(s, 'instruments/scriptmaster', token);
    expect(r.status).toBe(403);
    expect(r.json).toEqual(error('Session expired. Please login again.', 'TokenException'));
  });

  it('ends a session at midnight IST when that comes first', async () => {
    let now = Date.parse('2025-11-20T22:00:00+05:30');
    const s = await start({ clock: () => now, totpTimeSource: 'wall', tokenErrorStatus: 401 });
    const token = await loginWithTotp(s);
    now = Date.parse('2025-11-20T23:59:59+05:30');
    expect((await get(s, 'instruments/scriptmaster', token)).status).toBe(200);
    now = Date.parse('2025-11-21T00:00:00+05:30');
    expect((await get(s, 'instruments/scriptmaster', token)).status).toBe(401);
    const probe = FeedProbe.connect(s, token);
    await expect(probe.opened).rejects.toThrow(/502/);
  });

  it('ends the session on logout, and every session on the expire-sessions fault', async () => {
    const s = await start();
    const a = await loginWithTotp(s);
    const b = await loginWithTotp(s);
    expect((await get(s, 'logout', a)).json).toEqual({ status: 'success', data: true });
    expect((await get(s, 'instruments/scriptmaster', a)).status).toBe(403);
    expect(s.stats().liveSessions).toBe(1);
    expect(s.faults.expireSessions()).toBe(1);
    expect((await get(s, 'instruments/scriptmaster', b)).json).toEqual(
      error('Session expired. Please login again.', 'TokenException'),
    );
  });
});

describe('simulator instrument master', () => {
  it('serves the instruments as CSV, gzipped, without index rows by default', async () => {
    const s = await start();
    const r = await get(s, 'instruments/scriptmaster', await loginWithTotp(s));
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-encoding')).toBe('gzip');
    const lines = r.text.trim().split('\n');
    expect(lines[0]).toBe(
      'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange',
    );
    expect(lines).toHaveLength(51);
    const reliance = lines.find((l) => l.startsWith('2885,'))!.split(',');
    expect(reliance.slice(0, 3)).toEqual(['2885', '2885', 'RELIANCE']);
    expect(Number(reliance[4])).toBe(s.stats().tokens['2885']!.ltp);
    expect(lines.some((l) => l.startsWith('26000,'))).toBe(false);
  });

  it('lists the index when configured', async () => {
    const s = await start({ scriptMasterIncludesIndices: true });
    const r = await get(s, 'instruments/scriptmaster', await loginWithTotp(s));
    expect(r.text).toContain('\n26000,26000,NIFTY 50,NIFTY 50,');
  });
});
