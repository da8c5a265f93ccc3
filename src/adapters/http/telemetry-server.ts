import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Readiness {
  readonly ready: boolean;
  /** One entry per check, e.g. `{ feed: 'connected', sink: 'ready' }`; shown in the /readyz body. */
  readonly checks: Readonly<Record<string, string>>;
}

export interface TelemetrySources {
  /** The Prometheus text exposition. */
  metrics(): Promise<string>;
  readonly metricsContentType: string;
  readiness(): Readiness;
}

export interface TelemetryServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `/metrics` (Prometheus text), `/healthz` (the process answers) and `/readyz` (200 only when the
 * service can do its job; 503 otherwise, with the failing checks in the body).
 */
export const startTelemetryServer = async (
  sources: TelemetrySources,
  host: string,
  port: number,
): Promise<TelemetryServer> => {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    switch (path) {
      case '/metrics':
        sources.metrics().then(
          (body) => res.writeHead(200, { 'content-type': sources.metricsContentType }).end(body),
          (e: unknown) =>
            res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(e)}\n`),
        );
        return;
      case '/healthz':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      case '/readyz': {
        const r = sources.readiness();
        res
          .writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' })
          .end(`${JSON.stringify({ ready: r.ready, ...r.checks })}\n`);
        return;
      }
      default:
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end('not found: try /metrics, /healthz or /readyz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
