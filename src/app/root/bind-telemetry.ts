import {
  startTelemetryServer,
  type Readiness,
  type TelemetryServer,
} from '../../adapters/http/telemetry-server.ts';
import { StartRefused } from './start-refused.ts';

/** The telemetry port, bound before anything connects; `/readyz` says `starting` until served. */
export interface BoundTelemetry {
  readonly server: TelemetryServer;
  serveReadiness(readiness: () => Readiness): void;
}

export interface TelemetryListen {
  readonly host: string;
  readonly port: number;
  /** When the port is taken, take any free one instead of failing (the demo). */
  readonly anyPortWhenBusy?: boolean;
}

const STARTING: Readiness = { ready: false, checks: { service: 'starting' } };

const codeOf = (e: unknown): string | undefined =>
  e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined;

/** One line naming the setting at fault, for the errors `listen` gives on a busy port or a bad host. */
const refusal = (e: unknown, { host, port }: TelemetryListen): StartRefused => {
  const reason = e instanceof Error ? e.message : String(e);
  switch (codeOf(e)) {
    case 'EADDRINUSE':
      return new StartRefused(
        `METRICS_PORT: port ${port} on ${host} is already in use; stop what holds it or choose another METRICS_PORT`,
        { cause: e },
      );
    case 'EACCES':
      return new StartRefused(
        `METRICS_PORT: port ${port} needs privileges this process lacks; choose a port above 1023`,
        { cause: e },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new StartRefused(
        `METRICS_HOST: cannot resolve "${host}"; give an address of this machine, such as 0.0.0.0 or 127.0.0.1`,
        { cause: e },
      );
    case 'EADDRNOTAVAIL':
      return new StartRefused(`METRICS_HOST: ${host} is not an address of this machine`, { cause: e });
    default:
      return new StartRefused(`METRICS_HOST/METRICS_PORT: cannot listen on ${host}:${port} (${reason})`, {
        cause: e,
      });
  }
};

/**
 * Binds `/metrics`, `/healthz` and `/readyz` first, so that a busy port or a bad host stops the
 * start before it has connected to anything. Throws `StartRefused` naming the setting at fault.
 */
export const bindTelemetry = async (
  exposition: { metrics(): Promise<string>; readonly contentType: string },
  listen: TelemetryListen,
): Promise<BoundTelemetry> => {
  let readiness = (): Readiness => STARTING;
  const sources = {
    metrics: () => exposition.metrics(),
    metricsContentType: exposition.contentType,
    readiness: () => readiness(),
  };
  let server: TelemetryServer;
  try {
    server = await startTelemetryServer(sources, listen.host, listen.port);
  } catch (e) {
    if (codeOf(e) !== 'EADDRINUSE' || listen.anyPortWhenBusy !== true) throw refusal(e, listen);
    try {
      server = await startTelemetryServer(sources, listen.host, 0);
    } catch (again) {
      throw refusal(again, { ...listen, port: 0 });
    }
  }
  return {
    server,
    serveReadiness: (r) => {
      readiness = r;
    },
  };
};
