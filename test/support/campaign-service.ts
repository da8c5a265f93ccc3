import type { RunningSimulator } from '../../src/simulator/index.ts';
import { startTickflow, type ServiceProcess } from './service-process.ts';

/** A `tickflow live` child process of a fault campaign, and where its telemetry answers. */
export interface CampaignService {
  readonly run: number;
  readonly process: ServiceProcess;
  readonly metricsUrl: string;
  readonly startedAt: number;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

export const startCampaignService = (
  run: number,
  env: Readonly<Record<string, string>>,
): CampaignService => ({
  run,
  process: startTickflow(['live'], env),
  metricsUrl: `http://127.0.0.1:${env['METRICS_PORT'] ?? ''}/metrics`,
  startedAt: Date.now(),
});

export const isRunning = (s: CampaignService): boolean =>
  s.process.child.exitCode === null && s.process.child.signalCode === null;

/** Why a wait gave up: the process's end, if it ended, and its last output lines. */
export const serviceState = (s: CampaignService): string => {
  const { exitCode, signalCode } = s.process.child;
  const state = isRunning(s)
    ? 'still running'
    : `exited (code ${String(exitCode)}, signal ${String(signalCode)})`;
  return `run ${s.run} ${state}; its last output:\n${s.process.output().split('\n').slice(-25).join('\n')}`;
};

/** The `/metrics` text, or undefined when nothing answers. */
const scrape = async (s: CampaignService): Promise<string | undefined> => {
  try {
    return await (await fetch(s.metricsUrl, { signal: AbortSignal.timeout(2000) })).text();
  } catch {
    return undefined;
  }
};

const sample = (body: string, series: string): number | undefined => {
  const escaped = series.replace(/[{}"=]/g, (c) => `\\${c}`);
  const value = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(body)?.[1];
  return value === undefined ? undefined : Number(value);
};

/** A sample's value from `/metrics`, or undefined when the series is absent or nothing answers. */
export const metricValue = async (s: CampaignService, series: string): Promise<number | undefined> => {
  const body = await scrape(s);
  return body === undefined ? undefined : sample(body, series);
};

/** Polls `series` until `ok` holds; fails at once, saying so, if the process ends meanwhile. */
export const waitForMetric = async (
  s: CampaignService,
  series: string,
  ok: (value: number) => boolean,
  what: string,
  timeoutMs: number,
): Promise<number> => {
  const deadline = Date.now() + timeoutMs;
  let last: number | undefined;
  for (;;) {
    if (!isRunning(s)) throw new Error(`waiting for ${what}: ${serviceState(s)}`);
    last = await metricValue(s, series);
    if (last !== undefined && ok(last)) return last;
    if (Date.now() > deadline)
      throw new Error(
        `waiting for ${what}: ${series} was ${String(last)} after ${timeoutMs} ms; ${serviceState(s)}`,
      );
    await sleep(250);
  }
};

/** The service's feed connection on the simulator, and where its packets sit in the recorder's sequence. */
export interface FeedConnection {
  readonly clientId: number;
  readonly firstPacket: number;
}

/**
 * Waits for the first connection opened after `known` to receive packets. Both counters come from
 * one stats snapshot, and the simulator sends each batch to every subscriber in one call, so the
 * recorder's count minus the service's is the recorder index of the service's first packet.
 */
export const waitForFeedConnection = async (
  sim: RunningSimulator,
  s: CampaignService,
  recorderId: number,
  known: ReadonlySet<number>,
  timeoutMs: number,
): Promise<FeedConnection> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isRunning(s)) throw new Error(`waiting for run ${s.run}'s feed connection: ${serviceState(s)}`);
    const { clients } = sim.stats();
    const recorder = clients.find((c) => c.id === recorderId);
    const mine = clients.find((c) => !known.has(c.id) && c.id !== recorderId && c.packetsSent > 0);
    if (recorder !== undefined && mine !== undefined)
      return { clientId: mine.id, firstPacket: recorder.packetsSent - mine.packetsSent };
    if (Date.now() > deadline)
      throw new Error(`run ${s.run} opened no feed connection within ${timeoutMs} ms; ${serviceState(s)}`);
    await sleep(50);
  }
};

/** Packets the simulator sent to a connection, once the connection has closed. */
export const packetsWhenClosed = async (
  sim: RunningSimulator,
  clientId: number,
  timeoutMs: number,
): Promise<number> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = sim.stats().clients.find((c) => c.id === clientId);
    if (client?.closedAt !== null && client !== undefined) return client.packetsSent;
    if (Date.now() > deadline)
      throw new Error(`feed connection ${clientId} did not close within ${timeoutMs} ms`);
    await sleep(50);
  }
};

/** Waits until a gauge the service answers for is 0, or absent (nothing was ever counted in it). */
export const waitForZeroOrAbsent = async (
  s: CampaignService,
  series: string,
  timeoutMs: number,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await scrape(s);
    if (body !== undefined && (sample(body, series) ?? 0) === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${series} did not reach 0 within ${timeoutMs} ms; ${serviceState(s)}`);
    await sleep(250);
  }
};
