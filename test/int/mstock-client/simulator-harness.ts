import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { createMstockAdapters } from '../../../src/adapters/mstock/create-mstock-adapters.ts';
import type { MstockCredentials } from '../../../src/adapters/mstock/mstock-login.ts';
import { mstockSettings, type MstockSettingsInput } from '../../../src/adapters/mstock/mstock-settings.ts';
import { systemClock } from '../../../src/adapters/system/system-clock.ts';
import type { LogLevel } from '../../../src/ports/logger/logger.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import type { RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import {
  DEMO_API_KEY,
  DEMO_PASSWORD,
  DEMO_TOTP_SECRET,
  DEMO_USER,
  type SimulatorOptions,
} from '../../../src/simulator/simulator-options.ts';

export const DEMO_TOTP_LOGIN: MstockCredentials = {
  username: DEMO_USER,
  password: DEMO_PASSWORD,
  apiKey: DEMO_API_KEY,
  totpSecret: DEMO_TOTP_SECRET,
};

export interface SimulatorSetup {
  readonly sim?: Partial<SimulatorOptions>;
  readonly settings?: MstockSettingsInput;
  readonly credentials?: MstockCredentials;
  readonly logLevel?: LogLevel;
}

/**
 * The m.Stock adapters pointed at a running simulator with short timeouts (stale after 1 s,
 * backoff from 50 ms), as the tests need them; each call its own session, logger and metrics.
 */
export const adaptersFor = (sim: RunningSimulator, setup: Omit<SimulatorSetup, 'sim'> = {}) => {
  const logger = new MemoryLogger(setup.logLevel ?? 'info');
  const metrics = new MemoryMetrics();
  const input = setup.settings ?? {};
  const adapters = createMstockAdapters({
    credentials: setup.credentials ?? DEMO_TOTP_LOGIN,
    settings: mstockSettings({
      ...input,
      apiUrl: sim.url,
      requestTimeoutMs: 5000,
      feed: {
        wsUrl: sim.wsUrl,
        staleAfterMs: 1000,
        reconnectBackoff: { initialMs: 50, maxMs: 200, multiplier: 2 },
        ...input.feed,
      },
      historical: { retryBackoff: { initialMs: 50, maxMs: 200, multiplier: 2 }, ...input.historical },
    }),
    clock: systemClock,
    logger,
    metrics,
  });
  return { ...adapters, logger, metrics };
};

/** The simulator in-process on a free port, and the m.Stock adapters pointed at it (`adaptersFor`). */
export const startSimulatorAndAdapters = async (setup: SimulatorSetup = {}) => {
  const sim = await startSimulator({ alwaysOpen: true, rate: 0, ...setup.sim });
  const adapters = adaptersFor(sim, setup);
  return {
    sim,
    ...adapters,
    close: async () => {
      adapters.session.close();
      await sim.close();
    },
  };
};
export type SimulatorAndAdapters = Awaited<ReturnType<typeof startSimulatorAndAdapters>>;

/** Polls `check` every 10 ms until it gives a value; fails after `timeoutMs`. */
export const eventually = async <T>(
  what: string,
  check: () => T | undefined,
  timeoutMs = 10_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
