import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipIfNeeded } from '../../../src/adapters/instruments/gunzip-if-needed.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import {
  BrokerUnavailable,
  SessionExpired,
  UnexpectedResponse,
} from '../../../src/adapters/mstock/mstock-errors.ts';
import { MstockHttpClient } from '../../../src/adapters/mstock/mstock-http-client.ts';
import { SecretMasker } from '../../../src/adapters/mstock/secret-masker.ts';
import { fail, fakeBrokerFetch, html502, ok } from '../mstock-client/fake-broker-fetch.ts';

const CSV = 'instrument_token,exchange_token\n2885,2885\n';
const call = { endpoint: 'scriptmaster', method: 'GET', path: '/instruments/scriptmaster' } as const;

const clientWith = (response: () => Response, metrics = new MemoryMetrics()) =>
  new MstockHttpClient({
    apiUrl: 'https://api.example',
    requestTimeoutMs: 200,
    metrics,
    masker: new SecretMasker(),
    fetch: fakeBrokerFetch(response).fetch,
  });

const text = async (chunks: AsyncIterable<Uint8Array>): Promise<string> => {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
};

describe('MstockHttpClient.download', () => {
  it('gives the body as it streams, counted by route and status', async () => {
    const metrics = new MemoryMetrics();
    const http = clientWith(() => new Response(CSV, { headers: { 'content-type': 'text/csv' } }), metrics);
    expect(await text(await http.download(call, 1000))).toBe(CSV);
    expect(metrics.value('external_api_calls_total', { endpoint: 'scriptmaster', status: '200' })).toBe(1);
  });

  it('a gzip file body is gunzipped by gunzipIfNeeded; a plain one passes as it is', async () => {
    const zipped = clientWith(
      () => new Response(gzipSync(CSV), { headers: { 'content-type': 'application/gzip' } }),
    );
    expect(await text(gunzipIfNeeded(await zipped.download(call, 1000)))).toBe(CSV);
    const plain = clientWith(() => new Response(CSV, { headers: { 'content-type': 'text/csv' } }));
    expect(await text(gunzipIfNeeded(await plain.download(call, 1000)))).toBe(CSV);
  });

  it('reads an error answer as call() does: the typed error, counted with its status', async () => {
    const metrics = new MemoryMetrics();
    await expect(
      clientWith(() => fail(403, 'Invalid session', 'TokenException'), metrics).download(call, 1000),
    ).rejects.toBeInstanceOf(SessionExpired);
    await expect(clientWith(html502, metrics).download(call, 1000)).rejects.toBeInstanceOf(BrokerUnavailable);
    expect(metrics.value('external_api_calls_total', { endpoint: 'scriptmaster', status: '403' })).toBe(1);
    expect(metrics.value('external_api_calls_total', { endpoint: 'scriptmaster', status: '502' })).toBe(1);
  });

  it('refuses a JSON success where a file was expected', async () => {
    await expect(clientWith(() => ok({ rows: [] })).download(call, 1000)).rejects.toThrow(
      new UnexpectedResponse({
        endpoint: 'scriptmaster',
        status: 200,
        brokerMessage: 'a JSON answer where a file was expected',
      }).message,
    );
  });
});
