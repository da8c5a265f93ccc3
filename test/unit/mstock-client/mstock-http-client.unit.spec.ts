import { describe, expect, it } from 'vitest';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { BrokerUnavailable } from '../../../src/adapters/mstock/mstock-errors.ts';
import { formatQuery, MstockHttpClient } from '../../../src/adapters/mstock/mstock-http-client.ts';
import { SecretMasker } from '../../../src/adapters/mstock/secret-masker.ts';
import { fakeBrokerFetch, html502, ok } from './fake-broker-fetch.ts';

const client = (fetchImpl: typeof fetch, metrics = new MemoryMetrics(), masker = new SecretMasker()) =>
  new MstockHttpClient({
    apiUrl: 'https://api.example',
    requestTimeoutMs: 200,
    metrics,
    masker,
    fetch: fetchImpl,
  });

describe('MstockHttpClient', () => {
  it('sends the token authorization and the query as the docs write it', async () => {
    const fake = fakeBrokerFetch(() => ok({ candles: [] }));
    const data = await client(fake.fetch).call({
      endpoint: 'historical',
      method: 'GET',
      path: '/instruments/historical/NSE/2885/minute',
      query: { from: '2025-03-03 09:15:00', to: '2025-03-04 23:59:59' },
      auth: { apiKey: 'k', accessToken: 't.j.w' },
    });
    expect(data).toEqual({ candles: [] });
    const [request] = fake.requests;
    expect(request!.rawQuery).toBe('from=2025-03-03+09:15:00&to=2025-03-04+23:59:59');
    expect(request!.headers.get('authorization')).toBe('token k:t.j.w');
    expect(request!.headers.get('x-mirae-version')).toBe('1');
  });

  it('percent-encodes everything in a query value but spaces and colons', () => {
    expect(formatQuery({ a: 'x y:z&=+' })).toBe('a=x+y:z%26%3D%2B');
  });

  it('counts every call by route and status, creating each series once', async () => {
    const metrics = new MemoryMetrics();
    let n = 0;
    const fake = fakeBrokerFetch(() => (++n % 2 === 0 ? html502() : ok({})));
    const http = client(fake.fetch, metrics);
    const call = { endpoint: 'historical', method: 'GET', path: '/x' } as const;
    for (let i = 0; i < 4; i++) await http.call(call).catch(() => undefined);
    expect(metrics.value('external_api_calls_total', { endpoint: 'historical', status: '200' })).toBe(2);
    expect(metrics.value('external_api_calls_total', { endpoint: 'historical', status: '502' })).toBe(2);
    expect(metrics.observed('external_api_call_duration_seconds', { endpoint: 'historical' })).toHaveLength(
      4,
    );
  });

  it('turns a refused connection or a timeout into BrokerUnavailable, counted as network_error', async () => {
    const metrics = new MemoryMetrics();
    const masker = new SecretMasker(['s3cret']);
    const refused = (() =>
      Promise.reject(
        new TypeError('fetch failed s3cret', {
          cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
        }),
      )) as typeof fetch;
    const error = await client(refused, metrics, masker)
      .call({ endpoint: 'login', method: 'POST', path: '/connect/login', form: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnavailable);
    expect(String(error)).toContain('ECONNREFUSED');
    expect(String(error)).not.toContain('s3cret');
    const hanging = ((_: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
      })) as typeof fetch;
    const timedOut = await client(hanging, metrics)
      .call({ endpoint: 'login', method: 'POST', path: '/connect/login', form: {} })
      .catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(BrokerUnavailable);
    expect(String(timedOut)).toContain('timed out');
    expect(metrics.value('external_api_calls_total', { endpoint: 'login', status: 'network_error' })).toBe(2);
  });

  it("rethrows the caller's abort as it is, counted as aborted", async () => {
    const metrics = new MemoryMetrics();
    const controller = new AbortController();
    const hanging = ((_: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as typeof fetch;
    const pending = client(hanging, metrics).call(
      { endpoint: 'historical', method: 'GET', path: '/x' },
      controller.signal,
    );
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(metrics.value('external_api_calls_total', { endpoint: 'historical', status: 'aborted' })).toBe(1);
  });
});
