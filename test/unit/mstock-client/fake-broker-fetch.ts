/**
 * A stand-in for the m.Stock REST API at the `fetch` seam, for fast unit tests of the client,
 * the session and the historical adapter (the integration tests use the real simulator).
 */
export interface RecordedRequest {
  readonly method: string;
  /** Path under /openapi/typea. */
  readonly path: string;
  /** The raw query string, as sent. */
  readonly rawQuery: string;
  readonly headers: Headers;
  readonly form: URLSearchParams;
}

export type Route = (request: RecordedRequest) => Response | Promise<Response> | undefined;

export const ok = (data: unknown): Response => Response.json({ status: 'success', data });
export const fail = (status: number, message: string, errorType: string): Response =>
  Response.json({ status: 'error', message, error_type: errorType, data: null }, { status });
export const html502 = (): Response =>
  new Response('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', {
    status: 502,
    headers: { 'content-type': 'text/html' },
  });

export const fakeBrokerFetch = (...routes: Route[]) => {
  const requests: RecordedRequest[] = [];
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    init?.signal?.throwIfAborted();
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const prefix = '/openapi/typea';
    if (!url.pathname.startsWith(prefix)) throw new TypeError('fetch failed');
    const request: RecordedRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname.slice(prefix.length),
      rawQuery: url.search.slice(1),
      headers: new Headers(init?.headers),
      form: new URLSearchParams(typeof init?.body === 'string' ? init.body : ''),
    };
    requests.push(request);
    for (const route of routes) {
      const response = await route(request);
      if (response !== undefined) return response;
    }
    return fail(404, 'no such route', 'GeneralException');
  };
  return { fetch: fetchImpl, requests };
};
