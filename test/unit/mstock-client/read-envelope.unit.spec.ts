import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import type { Endpoint, MstockError } from '../../../src/adapters/mstock/mstock-errors.ts';
import { readEnvelope } from '../../../src/adapters/mstock/read-envelope.ts';
import { SecretMasker } from '../../../src/adapters/mstock/secret-masker.ts';

const masker = new SecretMasker(['hunter2', 'demo-api-key']);
const json = (status: number, body: unknown) => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify(body),
});
const errorBody = (message: string, errorType: string) => ({
  status: 'error',
  message,
  error_type: errorType,
  data: null,
});

const failure = (endpoint: Endpoint, response: Parameters<typeof readEnvelope>[1]): MstockError => {
  const result = readEnvelope(endpoint, response, masker);
  if (E.isRight(result)) throw new Error('expected a failure');
  return result.left;
};

describe('readEnvelope', () => {
  it('gives the data of a success envelope', () => {
    expect(
      readEnvelope('historical', json(200, { status: 'success', data: { candles: [] } }), masker),
    ).toEqual(E.right({ candles: [] }));
  });

  it('unwraps the one-element array some routes send', () => {
    expect(readEnvelope('login', json(200, [{ status: 'success', data: { ugid: 'x' } }]), masker)).toEqual(
      E.right({ ugid: 'x' }),
    );
  });

  it('reads a business failure sent with HTTP 200', () => {
    const e = failure(
      'login',
      json(200, errorBody('Invalid username or password (MACM1)', 'MiraeException')),
    );
    expect(e.kind).toBe('InvalidCredentials');
    expect(e.status).toBe(200);
    expect(e.brokerMessage).toBe('Invalid username or password (MACM1)');
    expect(e.errorType).toBe('MiraeException');
  });

  it.each([401, 403])('takes HTTP %i as an expired session, whatever the body', (status) => {
    expect(failure('historical', json(status, errorBody('Invalid token', 'GeneralException'))).kind).toBe(
      'SessionExpired',
    );
    expect(failure('historical', { status, contentType: 'text/plain', body: 'Forbidden' }).kind).toBe(
      'SessionExpired',
    );
  });

  it('takes a TokenException as an expired session even on HTTP 200', () => {
    expect(failure('historical', json(200, errorBody('Token expired', 'TokenException'))).kind).toBe(
      'SessionExpired',
    );
  });

  it('names a rejected API key', () => {
    const e = failure('verify_totp', json(200, errorBody('API is suspended/expired', 'APIKeyException')));
    expect(e.kind).toBe('ApiKeyRejected');
  });

  it.each(['verify_totp', 'session_token'] as const)(
    'takes the 403 the broker gives a bad key on %s as a rejected key, not an expired session',
    (endpoint) => {
      const body = errorBody('API is suspended/expired or the api_key is invalid.', 'APIKeyException');
      const e = failure(endpoint, json(403, body));
      expect(e.kind).toBe('ApiKeyRejected');
      expect(e.message).toMatch(/rejected the API key \(MSTOCK_API_KEY\)/);
      // The session step sends no token: a bare 401/403 there can only refuse the key.
      expect(failure(endpoint, { status: 403, contentType: 'text/html', body: '<h1>403</h1>' }).kind).toBe(
        'ApiKeyRejected',
      );
    },
  );

  it.each([
    ['verify_totp', 'Please enter correct TOTP'],
    ['session_token', 'Incorrect OTP -MACM60'],
    ['session_token', 'OTP has expired'],
  ] as const)('names a refused one-time password on %s: %s', (endpoint, message) => {
    expect(failure(endpoint, json(200, errorBody(message, 'InputException'))).kind).toBe('InvalidOtp');
  });

  it('takes HTTP 429 as throttling, with or without an envelope', () => {
    expect(failure('historical', json(429, errorBody('Too many requests', 'GeneralException'))).kind).toBe(
      'RateLimited',
    );
    expect(failure('historical', { status: 429, contentType: 'text/plain', body: 'slow down' }).kind).toBe(
      'RateLimited',
    );
  });

  it('takes the gateway HTML 502 page as the broker being unavailable, and retryable', () => {
    const e = failure('historical', {
      status: 502,
      contentType: 'text/html',
      body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    });
    expect(e.kind).toBe('BrokerUnavailable');
    expect(e.retryable).toBe(true);
  });

  it('refuses a missing version header answer, and bodies that are not envelopes, as unexpected', () => {
    const e = failure('login', json(400, errorBody('Please provide valid api version.', 'InputException')));
    expect(e.kind).toBe('UnexpectedResponse');
    expect(e.retryable).toBe(false);
    expect(failure('historical', json(200, { candles: [] })).kind).toBe('UnexpectedResponse');
    expect(
      failure('historical', { status: 200, contentType: 'application/json', body: 'not json' }).kind,
    ).toBe('UnexpectedResponse');
    expect(failure('historical', json(500, { oops: true })).kind).toBe('BrokerUnavailable');
  });

  it('masks secrets the broker echoes back, in the error and its message', () => {
    const e = failure(
      'login',
      json(200, errorBody('Wrong password hunter2 for key demo-api-key', 'MiraeException')),
    );
    expect(e.kind).toBe('InvalidCredentials');
    expect(e.message).not.toContain('hunter2');
    expect(e.message).not.toContain('demo-api-key');
    expect(e.brokerMessage).toBe('Wrong password *** for key ***');
    const notJson = failure('login', { status: 200, contentType: 'text/plain', body: 'echo hunter2' });
    expect(notJson.message).not.toContain('hunter2');
  });
});
