import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { InvalidCredentials, SessionExpired } from '../../../src/adapters/mstock/mstock-errors.ts';
import { MstockHttpClient } from '../../../src/adapters/mstock/mstock-http-client.ts';
import type { MstockCredentials } from '../../../src/adapters/mstock/mstock-login.ts';
import { SecretMasker } from '../../../src/adapters/mstock/secret-masker.ts';
import {
  OtpUnavailable,
  SessionManager,
  type OtpPrompt,
} from '../../../src/adapters/mstock/session-manager.ts';
import { totp } from '../../../src/adapters/mstock/totp.ts';
import { istInstant, istTime, parseIstDate } from '../../../src/domain/ist.ts';
import { fail, fakeBrokerFetch, ok, type Route } from './fake-broker-fetch.ts';

const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
const CREDENTIALS: MstockCredentials = {
  username: 'MA1234',
  password: 'p@ss w0rd!',
  apiKey: 'key+/=@42',
  totpSecret: TOTP_SECRET,
};
const MORNING = istInstant(parseIstDate('2025-03-03')!, istTime(8, 0));

let issued = 0;
/** A broker that accepts the credentials above and hands out numbered tokens. */
const broker: Route = ({ method, path, form }) => {
  if (method === 'POST' && path === '/connect/login') {
    return form.get('password') === CREDENTIALS.password
      ? ok({ ugid: 'u', cid: 'MA1234', nm: 'Demo', is_kyc: 'true' })
      : fail(200, 'Invalid username or password (MACM1)', 'MiraeException');
  }
  if (method === 'POST' && (path === '/session/verifytotp' || path === '/session/token')) {
    issued += 1;
    return ok({ access_token: `eyJtoken.${issued}`, user_id: 'MA1234', login_time: '2025-03-03 08:00:00' });
  }
  return undefined;
};

const setup = (credentials: MstockCredentials = CREDENTIALS, promptOtp?: OtpPrompt) => {
  const clock = new ManualClock(MORNING);
  const logger = new MemoryLogger('debug');
  const metrics = new MemoryMetrics();
  const masker = new SecretMasker();
  const fake = fakeBrokerFetch(broker);
  const client = new MstockHttpClient({
    apiUrl: 'https://api.example/',
    requestTimeoutMs: 1000,
    metrics,
    masker,
    fetch: fake.fetch,
  });
  const session = new SessionManager({
    client,
    credentials,
    settings: { renewMarginMs: 600_000, otpChecksum: 'L' },
    masker,
    clock,
    logger,
    ...(promptOtp === undefined ? {} : { promptOtp }),
  });
  return { clock, logger, metrics, masker, fake, session };
};

/** Every secret that must never reach a log line, a metric label or an error message. */
const SECRETS = [CREDENTIALS.password, CREDENTIALS.apiKey, TOTP_SECRET, 'eyJtoken', '424242'];

describe('SessionManager', () => {
  it('logs in with the password, then the TOTP of the moment, sending the version header each time', async () => {
    const { session, fake, logger, metrics } = setup();
    const token = await session.accessToken();
    expect(token).toMatch(/^eyJtoken\.\d+$/);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /connect/login',
      'POST /session/verifytotp',
    ]);
    const [login, verify] = fake.requests;
    expect(Object.fromEntries(login!.form)).toEqual({ username: 'MA1234', password: 'p@ss w0rd!' });
    expect(Object.fromEntries(verify!.form)).toEqual({
      api_key: CREDENTIALS.apiKey,
      totp: totp(TOTP_SECRET, MORNING),
    });
    for (const r of fake.requests) {
      expect(r.headers.get('x-mirae-version')).toBe('1');
      expect(r.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    }
    expect(metrics.value('external_api_calls_total', { endpoint: 'login', status: '200' })).toBe(1);
    expect(metrics.value('external_api_calls_total', { endpoint: 'verify_totp', status: '200' })).toBe(1);
    expect(metrics.observed('external_api_call_duration_seconds', { endpoint: 'login' })).toHaveLength(1);
    expect(logger.lines()).toContain('[INFO] Logged in to m.Stock');
    expect(session.current()?.expiresAt).toBe(MORNING + 12 * 3_600_000);
  });

  it('logs in with an OTP through session/token and checksum L, prompting for later ones', async () => {
    const prompts: string[] = [];
    const prompt: OtpPrompt = () => {
      prompts.push('asked');
      return Promise.resolve(' 777777 \n');
    };
    const { totpSecret: _none, ...withoutTotp } = CREDENTIALS;
    const { session, fake, clock } = setup({ ...withoutTotp, otp: '424242' }, prompt);
    const first = await session.accessToken();
    const tokenCall = fake.requests[1]!;
    expect(tokenCall.path).toBe('/session/token');
    expect(Object.fromEntries(tokenCall.form)).toEqual({
      api_key: CREDENTIALS.apiKey,
      request_token: '424242',
      checksum: 'L',
    });
    expect(prompts).toEqual([]);
    session.invalidate(first);
    clock.advance(1000);
    await session.accessToken();
    expect(prompts).toEqual(['asked']);
    expect(fake.requests[3]!.form.get('request_token')).toBe('777777');
  });

  it('fails clearly when an OTP login has no OTP and no prompt', async () => {
    const { totpSecret: _none, ...withoutTotp } = CREDENTIALS;
    const { session } = setup(withoutTotp);
    await expect(session.accessToken()).rejects.toThrow(OtpUnavailable);
  });

  it('makes one login for many callers asking at once', async () => {
    const { session, fake } = setup();
    const tokens = await Promise.all([session.accessToken(), session.accessToken(), session.accessToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(fake.requests.filter((r) => r.path === '/connect/login')).toHaveLength(1);
  });

  it('keeps the token until the renewal margin before expiry, then logs in again', async () => {
    const { session, clock, fake } = setup();
    const first = await session.accessToken();
    clock.advance(12 * 3_600_000 - 600_001);
    expect(await session.accessToken()).toBe(first);
    clock.advance(1);
    const second = await session.accessToken();
    expect(second).not.toBe(first);
    expect(fake.requests.filter((r) => r.path === '/connect/login')).toHaveLength(2);
  });

  it('logged in during the last minutes before midnight IST, keeps that token until midnight instead of logging in on every call', async () => {
    const { session, clock, fake } = setup();
    const lateEvening = istInstant(parseIstDate('2025-03-03')!, istTime(23, 55));
    clock.set(lateEvening);
    const first = await session.accessToken();
    // Every token expires at midnight IST: a login now would get the same expiry.
    clock.set(istInstant(parseIstDate('2025-03-03')!, istTime(23, 59)));
    expect(await session.accessToken()).toBe(first);
    expect(await session.accessToken()).toBe(first);
    expect(fake.requests.filter((r) => r.path === '/connect/login')).toHaveLength(1);
    clock.set(istInstant(parseIstDate('2025-03-04')!, istTime(0, 0)));
    expect(await session.accessToken()).not.toBe(first);
    expect(fake.requests.filter((r) => r.path === '/connect/login')).toHaveLength(2);
  });

  it('logs in again and retries once when a call reports an expired session', async () => {
    const { session } = setup();
    const used: string[] = [];
    const result = await session.withSession((token) => {
      used.push(token);
      return used.length === 1
        ? Promise.reject(new SessionExpired({ endpoint: 'historical', status: 403 }))
        : Promise.resolve('data');
    });
    expect(result).toBe('data');
    expect(used).toHaveLength(2);
    expect(used[0]).not.toBe(used[1]);
  });

  it('refuses a wrong password as InvalidCredentials, with no secret in the error, the log or the metrics', async () => {
    const { session, logger, metrics } = setup({ ...CREDENTIALS, password: 'wrong-Secret9' });
    const error = await session.accessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCredentials);
    const text = `${String(error)} ${JSON.stringify(error)} ${JSON.stringify(logger.records)}`;
    for (const secret of [...SECRETS, 'wrong-Secret9']) expect(text).not.toContain(secret);
    expect(metrics.value('external_api_calls_total', { endpoint: 'login', status: '200' })).toBe(1);
  });

  it('never writes a secret to the log, even at debug level', async () => {
    const { session, logger } = setup();
    await session.accessToken();
    const text = JSON.stringify(logger.records);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});
