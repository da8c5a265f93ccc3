import { either as E } from 'fp-ts';
import { performance } from 'node:perf_hooks';
import type { Metrics } from '../../ports/metrics.ts';
import { HttpCallMetrics } from './http-call-metrics.ts';
import { BrokerUnavailable, UnexpectedResponse, type Endpoint } from './mstock-errors.ts';
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

/** A call's response before its body is read, and when the call started (performance.now()). */
interface SentCall {
  readonly response: Response;
  readonly status: number;
  readonly contentType: string;
  readonly started: number;
}

const secondsSince = (started: number): number => (performance.now() - started) / 1000;

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
    return this.readAnswer(call, await this.send(call, signal, this.options.requestTimeoutMs), signal);
  }

  /**
   * A call whose success is a file, not a JSON envelope (the instrument master's CSV): the body's
   * bytes as they arrive (a `Content-Encoding: gzip` already undone by fetch), for the caller to
   * stream. `timeoutMs` bounds the whole transfer. An error status or a JSON/HTML answer is read
   * as `call` reads it and thrown as the typed error; a failure mid-body rejects the iteration.
   */
  async download(call: ApiCall, timeoutMs: number, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const sent = await this.send(call, signal, timeoutMs);
    const { response, status, contentType, started } = sent;
    const body = response.body;
    if (status >= 200 && status < 300 && body !== null && !/json|html/i.test(contentType)) {
      // Counted when the file starts to arrive: its transfer is the caller's to time.
      this.callMetrics.record(call.endpoint, status, secondsSince(started));
      return body;
    }
    await this.readAnswer(call, sent, signal);
    throw new UnexpectedResponse({
      endpoint: call.endpoint,
      status,
      brokerMessage: 'a JSON answer where a file was expected',
    });
  }

  /** Reads a JSON answer whole, counts the call, and gives the envelope's data or throws its error. */
  private async readAnswer(call: ApiCall, sent: SentCall, signal: AbortSignal | undefined): Promise<unknown> {
    const { response, status, contentType, started } = sent;
    let text: string;
    try {
      text = await response.text();
    } catch (e) {
      throw this.failed(call, e, signal, started);
    }
    this.callMetrics.record(call.endpoint, status, secondsSince(started));
    const result = readEnvelope(call.endpoint, { status, contentType, body: text }, this.options.masker);
    if (E.isLeft(result)) throw result.left;
    return result.right;
  }

  /** Sends the call; a call that got no answer is counted here, one that did by the caller. */
  private async send(call: ApiCall, signal: AbortSignal | undefined, timeoutMs: number): Promise<SentCall> {
    signal?.throwIfAborted();
    const { apiUrl } = this.options;
    const query = call.query === undefined ? '' : `?${formatQuery(call.query)}`;
    const url = `${apiUrl.replace(/\/+$/, '')}${TYPE_A_PREFIX}${call.path}${query}`;
    const headers: Record<string, string> = { 'X-Mirae-Version': '1', Accept: 'application/json' };
    if (call.auth !== undefined) headers.Authorization = `token ${call.auth.apiKey}:${call.auth.accessToken}`;
    let body: string | undefined;
    if (call.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(call.form).toString();
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const started = performance.now();
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: call.method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
    } catch (e) {
      throw this.failed(call, e, signal, started);
    }
    const contentType = response.headers.get('content-type') ?? '';
    return { response, status: response.status, contentType, started };
  }

  /** Counts a call that got no (whole) answer; the caller's abort as itself, else BrokerUnavailable. */
  private failed(call: ApiCall, e: unknown, signal: AbortSignal | undefined, started: number): unknown {
    if (signal?.aborted === true) {
      this.callMetrics.record(call.endpoint, 'aborted', secondsSince(started));
      return signal.reason;
    }
    this.callMetrics.record(call.endpoint, 'network_error', secondsSince(started));
    return new BrokerUnavailable({
      endpoint: call.endpoint,
      status: 'network_error',
      brokerMessage: this.options.masker.mask(networkReason(e)),
    });
  }
}
