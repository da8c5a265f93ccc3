import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { applyFaultRequest, decodeFaultRequest } from './fault-requests.ts';
import type { RestDeps, RouteResult } from './rest-context.ts';
import { fail, MISSING_VERSION_REPLY, type RestReply } from './rest-envelope.ts';
import type { SimulatorFaults } from './simulator-faults.ts';
import type { RestRecord, SimulatorStats } from './simulator-stats.ts';
import { routeTypeA } from './typea-routes.ts';

const API_PREFIX = '/openapi/typea/';
const BODY_LIMIT = 1 << 20;
const GZIP_ABOVE_BYTES = 1024;
const REQUESTS_KEPT = 1000;

export interface HttpDeps {
  readonly rest: RestDeps;
  readonly faults: SimulatorFaults;
  readonly stats: () => SimulatorStats;
  readonly emitTicks: (count: number) => number;
}

/** REST request log and per-route counts, for `stats().rest`. */
export class RequestLog {
  readonly counts: Record<string, number> = {};
  readonly requests: RestRecord[] = [];

  add(record: RestRecord): void {
    this.counts[record.route] = (this.counts[record.route] ?? 0) + 1;
    if (this.requests.length >= REQUESTS_KEPT) this.requests.shift();
    this.requests.push(record);
  }
}

class BodyTooLarge extends Error {}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) reject(new BodyTooLarge('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });

const json = (status: number, body: unknown): RestReply => ({ kind: 'json', status, body });

const CONTENT_TYPE: Readonly<Record<RestReply['kind'], string>> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html',
  csv: 'text/csv; charset=utf-8',
};

/** Writes a reply; gzipped when the client accepts it and it is worth it (real responses may be). */
const write = (req: IncomingMessage, res: ServerResponse, reply: RestReply, wrapInArray: boolean): void => {
  const text = reply.kind === 'json' ? JSON.stringify(wrapInArray ? [reply.body] : reply.body) : reply.body;
  let body = Buffer.from(text, 'utf8');
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE[reply.kind] };
  if (body.length > GZIP_ABOVE_BYTES && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(body.length);
  res.writeHead(reply.status, headers);
  res.end(body);
};

const TickRequest = t.type({
  count: t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0 && n <= 1_000_000, 'Count'),
});

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** The simulator's own routes: stats, faults, and ticks on demand. */
const simRoute = async (req: IncomingMessage, path: string, deps: HttpDeps): Promise<RouteResult> => {
  if (path === '/sim/stats' && req.method === 'GET')
    return { route: 'sim/stats', reply: json(200, deps.stats()) };
  if (path === '/sim/faults' && req.method === 'GET') {
    return { route: 'sim/faults', reply: json(200, deps.faults.active()) };
  }
  if (path === '/sim/faults' && req.method === 'POST') {
    const decoded = decodeFaultRequest(parseJson(await readBody(req)));
    if (E.isLeft(decoded)) return { route: 'sim/faults', reply: json(400, { error: decoded.left.message }) };
    const result = applyFaultRequest(deps.faults, decoded.right);
    if (E.isLeft(result)) return { route: 'sim/faults', reply: json(400, { error: result.left.message }) };
    return { route: 'sim/faults', reply: json(200, { result: result.right, faults: deps.faults.active() }) };
  }
  if (path === '/sim/ticks' && req.method === 'POST') {
    const decoded = TickRequest.decode(parseJson(await readBody(req)));
    if (E.isLeft(decoded))
      return { route: 'sim/ticks', reply: json(400, { error: 'expected {"count": n}' }) };
    return { route: 'sim/ticks', reply: json(200, { ticks: deps.emitTicks(decoded.right.count) }) };
  }
  return { route: 'unknown', reply: json(404, { error: `no route for ${req.method ?? ''} ${path}` }) };
};

const handle = async (
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  log: RequestLog,
): Promise<void> => {
  const at = Date.now();
  const url = new URL(req.url ?? '/', 'http://simulator');
  let result: RouteResult;
  try {
    if (url.pathname.startsWith(API_PREFIX)) {
      if (req.headers['x-mirae-version'] !== '1') {
        result = { route: 'version', reply: MISSING_VERSION_REPLY };
      } else {
        const body = req.method === 'POST' ? await readBody(req) : '';
        result = routeTypeA(
          {
            method: req.method ?? 'GET',
            segments: url.pathname.slice(API_PREFIX.length).split('/').filter(Boolean),
            query: url.searchParams,
            form: Object.fromEntries(new URLSearchParams(body)),
            authorization: req.headers.authorization,
          },
          deps.rest,
        );
      }
    } else {
      result = await simRoute(req, url.pathname, deps);
    }
  } catch (e) {
    result =
      e instanceof BodyTooLarge
        ? { route: 'error', reply: fail(413, 'Request body too large', 'InputException') }
        : { route: 'error', reply: fail(500, 'Internal error', 'GeneralException') };
  }
  const wrap = deps.rest.options.arrayWrappedRoutes.includes(result.route);
  log.add({
    at,
    method: req.method ?? '',
    route: result.route,
    path: url.pathname,
    status: result.reply.status,
    ...(result.bars === undefined ? {} : { bars: result.bars }),
  });
  write(req, res, result.reply, wrap);
};

export const makeHttpServer = (deps: HttpDeps, log: RequestLog): Server =>
  createServer((req, res) => {
    handle(req, res, deps, log).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
