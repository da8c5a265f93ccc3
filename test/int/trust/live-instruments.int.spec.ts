import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { MemoryTickSink } from '../../../src/adapters/memory/memory-tick-sink.ts';
import { createMstockAdapters } from '../../../src/adapters/mstock/create-mstock-adapters.ts';
import { mstockSettings } from '../../../src/adapters/mstock/mstock-settings.ts';
import { systemClock } from '../../../src/adapters/system/system-clock.ts';
import { FeedIngestion } from '../../../src/app/live/ingest-feed.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { waitFor } from './trust-harness.ts';

const RELIANCE = instrumentToken(2885);
const TCS = instrumentToken(11536);

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('instruments added to and removed from the live path on the m.Stock feed', () => {
  it('subscribes an added token on the open socket and unsubscribes a removed one', async () => {
    const sim: RunningSimulator = await startSimulator({ port: 0, rate: 2000, alwaysOpen: true });
    const logger = new MemoryLogger('warn');
    const metrics = new MemoryMetrics();
    const { user, password, apiKey, totpSecret } = sim.options.credentials;
    const mstock = createMstockAdapters({
      credentials: { username: user, password, apiKey, totpSecret },
      settings: mstockSettings({ apiUrl: sim.url, feed: { wsUrl: sim.wsUrl } }),
      clock: systemClock,
      logger,
      metrics,
    });
    const sink = new MemoryTickSink();
    const ingestion = new FeedIngestion(
      { feed: mstock.feed, sink, logger, metrics, clock: systemClock },
      { maxInFlight: 64 },
    );
    const abort = new AbortController();
    const running = ingestion.run({ tokens: [RELIANCE], mode: 'full' }, abort.signal);
    cleanup = async () => {
      abort.abort();
      await running;
      mstock.session.close();
      await sim.close();
    };
    const count = (token: string): number => sink.ticks().filter((t) => t.token === token).length;

    await waitFor('RELIANCE ticks', () => count(RELIANCE) >= 20);
    expect(count(TCS)).toBe(0);

    expect(ingestion.add([TCS])).toBe(true);
    await waitFor('TCS ticks after it was added', () => count(TCS) >= 20);

    expect(ingestion.remove([RELIANCE])).toBe(true);
    const client = (): string[] => [...(sim.stats().clients.at(-1)?.messages ?? [])];
    await waitFor('the unsubscribe at the simulator', () =>
      client().some((m) => m === JSON.stringify({ a: 'unsubscribe', v: [2885] })),
    );
    // A frame read before the unsubscribe may still carry it; after the next ones, none does.
    const tcs = count(TCS);
    await waitFor('more TCS ticks', () => count(TCS) >= tcs + 20);
    const relianceAfter = count(RELIANCE);
    await waitFor('yet more TCS ticks', () => count(TCS) >= tcs + 200);
    expect(count(RELIANCE)).toBe(relianceAfter);
    expect(sim.stats().clients.at(-1)?.subscribed).toEqual([11536]);
    expect(ingestion.snapshot().gaps).toEqual([]);
  });
});
