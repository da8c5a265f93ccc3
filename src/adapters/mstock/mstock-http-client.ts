import { either as E } from 'fp-ts';
import { performance } from 'node:perf_hooks';
import type { Metrics } from '../../ports/metrics.ts';
import { HttpCallMetrics } from './http-call-metrics.ts';
import { BrokerUnavailable, type Endpoint } from './mstock-errors.ts';
import { readEnvelope } from './read-envelope.ts';
import type { SecretMasker } from './secret-masker.ts';

/** Every Type A route lives under this prefix (mstock-protocol.md, Hosts and conventions). */
export const TYPE_A_PREFIX = '/openapi/typea';

export interface ApiCall {
  readonly endpoint: Endpoint;
  readonly method: 'GET' | 'POST';
  /** Path under `/openapi/typea`, starting with `/`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Sent form-encoded, as every Type A route expects. */
  readonly form?: Readonly<Record<string, string>>;
  readonly auth?: { readonly apiKey: string; readonly accessToken: string };
}

export interface MstockHttpClientOptions {
  /** Base URL without the Type A prefix, e.g. `https://api.mstock.trade` (MSTOCK_API_URL). */
  readonly apiUrl: string;
  /** A call that has not answered in this time counts as a network error. */
  readonly requestTimeoutMs: number;
  readonly metrics: Metrics;
  readonly masker: SecretMasker;
  /** Node's global fetch unless given (tests pass none: they use a real server). */
  readonly fetch?: typeof fetch;
}

/**
 * The query string as the broker's docs write it: spaces as `+`, colons left alone
 * (`from=2024-01-01+09:15:00`); everything else percent-encoded.
 */
export const formatQuery = (query: Readonly<Record<string, string>>): string =>
  Object.entries(query)
    .map(
      ([k, v]) =>
        `${encodeURIComponent(k)}=${encodeURIComponent(v).replaceAll('%20', '+').replaceAll('%3A', ':')}`,
    )
    .join('&');

const networkReason = (e: unknown): string => {
  if (!(e instanceof Error)) return 'network error';
  if (e.name === 'TimeoutError') return 'timed out';
  const cause: unknown = e.cause;
  const code =
    cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return code === undefined ? e.message : `${e.message} (${code})`;
};

/**
 * One call to the m.Stock REST API: the headers every route needs, a timeout, the envelope read
 * into data or a typed error (see `readEnvelope`), and the call counted and timed. A caller's
 * abort is rethrown as the AbortError it is, counted with status `aborted`.
 */
export class MstockHttpClient {
  private readonly options: MstockHttpClientOptions;
  private readonly callMetrics: HttpCallMetrics;
  private readonly fetchImpl: typeof fetch;

  constructor(options: MstockHttpClientOptions) {
    this.options = options;
    this.callMetrics = new HttpCallMetrics(options.metrics);
    this.fetchImpl = options.fetch ?? fetch;
  }

  async call(call: ApiCall, signal?: AbortSignal): Promise<unknown> {
    signal?.throwIfAborted();
    const { apiUrl, requestTimeoutMs, masker } = this.options;
    const query = call.query === undefined ? '' : `?${formatQuery(call.query)}`;
    const url = `${apiUrl.replace(/\/+$/, '')}${TYPE_A_PREFIX}${call.path}${query}`;
    const headers: Record<string, string> = { 'X-Mirae-Version': '1', Accept: 'application/json' };
    if (call.auth !== undefined) headers.Authorization = `token ${call.auth.apiKey}:${call.auth.accessToken}`;
    let body: string | undefined;
    if (call.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(call.form).toString();
    }
    const timeout = AbortSignal.timeout(requestTimeoutMs);
    const started = performance.now();
    const elapsed = (): number => (performance.now() - started) / 1000;
    let status: number;
    let contentType: string;
    let text: string;
    try {
      const response = await this.fetchImpl(url, {
        method: call.method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
      status = response.status;
      contentType = response.headers.get('content-type') ?? '';
      text = await response.text();
    } catch (e) {
      if (signal?.aborted === true) {
        this.callMetrics.record(call.endpoint, 'aborted', elapsed());
        signal.throwIfAborted();
      }
      this.callMetrics.record(call.endpoint, 'network_error', elapsed());
      throw new BrokerUnavailable({
        endpoint: call.endpoint,
        status: 'network_error',
        brokerMessage: masker.mask(networkReason(e)),
      });
    }
    this.callMetrics.record(call.endpoint, status, elapsed());
    const result = readEnvelope(call.endpoint, { status, contentType, body: text }, masker);
    if (E.isLeft(result)) throw result.left;
    return result.right;
  }
}
