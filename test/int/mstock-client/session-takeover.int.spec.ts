import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_TAKEN_OVER } from '../../../src/adapters/mstock/session-takeover-watch.ts';
import type { MstockBrokerFeed } from '../../../src/adapters/mstock/mstock-broker-feed.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { FeedMessage, Subscription } from '../../../src/ports/broker-feed.ts';
import type { RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import type { SimulatorOptions } from '../../../src/simulator/simulator-options.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { adaptersFor, eventually } from './simulator-harness.ts';

const SUBSCRIPTION: Subscription = { tokens: [2885, 11536].map(instrumentToken), mode: 'ltp' };
/** The takeover's login backoff shortened for the test: waits of 0.5-1 s, then 1-2 s at the cap. */
const SETTINGS = {
  feed: {
    staleAfterMs: 5000,
    sessionTakeover: { loginBackoff: { initialMs: 1000, maxMs: 2000, multiplier: 2 } },
  },
};
const WINDOW_MS = 6000;

type Adapters = ReturnType<typeof adaptersFor>;

let sim: RunningSimulator | undefined;
const running: { stop: () => Promise<void>; adapters: Adapters }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.stop();
    r.adapters.session.close();
  }
  await sim?.close();
  sim = undefined;
});

const start = async (options: Partial<SimulatorOptions>): Promise<RunningSimulator> => {
  sim = await startSimulator({ alwaysOpen: true, rate: 50, ...options });
  return sim;
};

/** One of our m.Stock feeds on its own login, read continuously in the background until the test ends. */
const runFeed = (s: RunningSimulator) => {
  const adapters = adaptersFor(s, { settings: SETTINGS });
  const controller = new AbortController();
  const seen: FeedMessage[] = [];
  const read = async (feed: MstockBrokerFeed): Promise<void> => {
    for await (const m of feed.messages(SUBSCRIPTION, controller.signal)) seen.push(m);
  };
  const done = read(adapters.feed).catch(() => undefined);
  const stop = async (): Promise<void> => {
    controller.abort();
    await done;
  };
  running.push({ stop, adapters });
  return { ...adapters, seen };
};

const reports = (a: Adapters): string[] =>
  a.logger.lines().filter((l) => l === `[ERROR] ${SESSION_TAKEN_OVER}`);
const logins = (s: RunningSimulator): number => s.stats().rest.counts['session/verifytotp'] ?? 0;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('m.Stock session taken over by another login with the same user', () => {
  it('reports it once on each side and paces the logins instead of fighting in a loop', async () => {
    const s = await start({ singleSession: true });
    const a = runFeed(s);
    const b = runFeed(s);
    await eventually(
      'a report from both feeds',
      () => (reports(a).length > 0 && reports(b).length > 0 ? true : undefined),
      20_000,
    );
    const before = logins(s);
    await pause(WINDOW_MS);
    const during = logins(s) - before;
    // Each login now follows a wait of 0.5 s or more (1 s at the cap). Without it each round is a
    // reconnect (≤ 200 ms here) and a login: 33 in this window when tried with no login backoff.
    expect(during).toBeLessThanOrEqual(WINDOW_MS / 500 + 1);
    // The fight goes on (neither side gives up for good), but each side said so once.
    expect(during).toBeGreaterThan(0);
    for (const side of [a, b]) {
      expect(reports(side)).toHaveLength(1);
      expect(side.metrics.value('mstock_session_taken_over_total')).toBe(1);
      expect(side.logger.lines()).toContain('[INFO] Waiting before logging in to m.Stock again');
      // The existing lines are still there.
      expect(side.logger.lines()).toContain('[WARN] m.Stock session refused by the broker; logging in again');
      expect(side.logger.lines()).toContain('[WARN] Disconnected from MStock WebSocket');
      const record = side.logger.records.find((r) => r.level === 'error')!;
      expect(JSON.stringify(record)).not.toContain(`"${s.options.credentials.user}"`);
      expect(JSON.stringify(record)).not.toContain(s.options.credentials.apiKey);
    }
  });

  it('reports nothing when the broker allows several sessions per user', async () => {
    const s = await start({ singleSession: false });
    const a = runFeed(s);
    const b = runFeed(s);
    const ticked = (f: { seen: FeedMessage[] }): true | undefined =>
      f.seen.some((m) => m.kind === 'ticks') ? true : undefined;
    await eventually('ticks on both feeds', () => (ticked(a) && ticked(b) ? true : undefined));
    await pause(2000);
    expect(logins(s)).toBe(2);
    for (const side of [a, b]) {
      expect(reports(side)).toEqual([]);
      expect(side.metrics.value('mstock_session_taken_over_total')).toBe(0);
      expect(side.seen.filter((m) => m.kind === 'disconnected')).toEqual([]);
    }
    expect(s.stats().connections.filter((c) => c.open)).toHaveLength(2);
  });

  it('calls one session ended by the server a relogin, and a dropped connection a reconnect, not a takeover', async () => {
    const s = await start({ singleSession: true });
    const a = runFeed(s);
    await eventually('ticks', () => (a.seen.some((m) => m.kind === 'ticks') ? true : undefined));
    s.faults.dropConnections();
    await eventually('the reconnect', () =>
      a.seen.filter((m) => m.kind === 'connected').length === 2 ? true : undefined,
    );
    expect(logins(s)).toBe(1);
    expect(s.faults.expireSessions({ closeFeeds: true })).toBe(1);
    await eventually('the relogin and a third connection', () =>
      logins(s) === 2 && a.seen.filter((m) => m.kind === 'connected').length === 3 ? true : undefined,
    );
    await pause(500);
    expect(logins(s)).toBe(2);
    expect(a.logger.lines()).toContain('[WARN] m.Stock session refused by the broker; logging in again');
    expect(reports(a)).toEqual([]);
    expect(a.metrics.value('mstock_session_taken_over_total')).toBe(0);
  });
});
