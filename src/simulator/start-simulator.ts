import type { AddressInfo } from 'node:net';
import { istDateOf } from '../domain/ist.ts';
import { makeMarketSession } from '../domain/market-session.ts';
import { epochMs } from '../domain/units.ts';
import { makeCandleModel } from './candle-model.ts';
import { FaultState } from './fault-state.ts';
import { FeedServer } from './feed-server.ts';
import { makeHttpServer, RequestLog } from './http-server.ts';
import { loadInstrumentFile, type SimInstrument } from './instrument-list.ts';
import { makeSimMarket } from './market-model.ts';
import { RequestRateLimit } from './request-rate-limit.ts';
import type { RestDeps } from './rest-context.ts';
import { hashSeed, makeRandom } from './seeded-random.ts';
import { makeServedCandles } from './served-candles.ts';
import { SessionStore } from './session-store.ts';
import { SimUniverse } from './sim-universe.ts';
import type { SimulatorFaults } from './simulator-faults.ts';
import {
  DEFAULT_SIMULATOR_OPTIONS,
  type SimulatorInstruments,
  type SimulatorOptions,
} from './simulator-options.ts';
import { tokenStats, type SimulatorStats, type TokenCounters, type TokenStats } from './simulator-stats.ts';
import { makeTradeTape, tapedMarket } from './trade-tape.ts';

export interface RunningSimulator {
  /** Base URL of the REST API, without the /openapi/typea prefix: what MSTOCK_API_URL takes. */
  readonly url: string;
  /** The WebSocket URL: what MSTOCK_WS_URL takes. */
  readonly wsUrl: string;
  readonly port: number;
  /** The options in force, defaults filled in. */
  readonly options: SimulatorOptions;
  stats(): SimulatorStats;
  readonly faults: SimulatorFaults;
  /** Generates `count` ticks now, market hours or not, and sends them; returns `count`. */
  emitTicks(count: number): number;
  close(): Promise<void>;
}

const instrumentsOf = async (options: SimulatorOptions): Promise<readonly SimInstrument[]> => {
  if (options.instruments !== undefined) return options.instruments;
  if (options.instrumentFile !== undefined) return loadInstrumentFile(options.instrumentFile);
  throw new Error('no instruments to quote: pass instruments or instrumentFile');
};

/** Starts the simulator: REST and WebSocket on one port. */
export const startSimulator = async (
  overrides: Partial<SimulatorOptions> & SimulatorInstruments,
): Promise<RunningSimulator> => {
  const options: SimulatorOptions = { ...DEFAULT_SIMULATOR_OPTIONS, ...overrides };
  const instruments = await instrumentsOf(options);
  const marketSession = options.marketSession ?? makeMarketSession();
  const candles = makeCandleModel(options.seed, marketSession, options.dayCandleLabel);
  const startedAt = epochMs(options.clock());
  const tape = makeTradeTape(startedAt);
  const universe =
    options.universe === 'large'
      ? new SimUniverse(instruments, options.seed, marketSession, istDateOf(startedAt))
      : undefined;
  const market = tapedMarket(
    makeSimMarket(
      universe === undefined ? instruments : [],
      candles,
      marketSession,
      makeRandom(hashSeed(options.seed, 'market')),
      startedAt,
      universe === undefined ? undefined : { find: (token) => universe.instruments.get(token) },
    ),
    tape,
  );
  const sessions = new SessionStore(options.sessionMaxAgeMs);
  const faultState = new FaultState();
  const counters = new Map<number, TokenCounters>();
  const counterOf = (token: number): TokenCounters => {
    let c = counters.get(token);
    if (c === undefined) {
      c = { sent: 0, dropped: 0, suppressed: 0, outOfBandSent: 0 };
      counters.set(token, c);
    }
    return c;
  };
  const feed = new FeedServer({
    options,
    sessions,
    market,
    marketSession,
    faults: faultState,
    counters: counterOf,
    faultRandom: makeRandom(hashSeed(options.seed, 'faults')),
    logger: options.logger,
  });
  const rest: RestDeps = {
    options,
    sessions,
    candles: makeServedCandles(candles, tape, marketSession, options.dayCandleLabel),
    market,
    marketSession,
    instruments: universe?.instruments ?? new Map(instruments.map((i) => [i.token, i])),
    universe,
    faults: faultState,
    rateLimit: new RequestRateLimit(options.historicalRatePerSecond),
    login: { pending: [] },
    closeFeeds: (accessTokens) => {
      feed.closeSessions(accessTokens);
    },
  };
  const log = new RequestLog();

  const faults: SimulatorFaults = {
    dropConnections: () => feed.dropConnections(),
    dropConnection: (id) => feed.dropConnection(id),
    goSilent: (ms) => {
      faultState.silence(ms);
    },
    muteTicks: (ms) => {
      faultState.muteTicks(ms);
    },
    muteConnection: (id, ms) => feed.muteConnection(id, ms),
    resume: () => {
      faultState.silentUntil = 0;
      faultState.ticksMutedUntil = 0;
      feed.unmuteConnections();
    },
    refuseHandshakes: (count) => {
      faultState.refuseHandshakes = count;
    },
    sendMalformedFrames: (kind, count = 1) => feed.sendMalformed(kind, count),
    failHistorical: (answer, count) => {
      faultState.historical = { answer, remaining: count };
    },
    expireSessions: ({ closeFeeds = false } = {}) => {
      const tokens = sessions.expireAll();
      if (closeFeeds) feed.closeSessions(tokens);
      return tokens.length;
    },
    silenceToken: (token, ms) => {
      faultState.silenceToken(token, ms);
    },
    dropTokenPackets: (token, share) => {
      if (share <= 0) faultState.tokenDropShare.delete(token);
      else faultState.tokenDropShare.set(token, Math.min(1, share));
    },
    emitOutOfBand: (token, count = 1) => {
      faultState.outOfBand.set(token, count);
    },
    shortCandles: (count) => {
      faultState.shortCandles = Math.max(0, count);
    },
    rollExpiry: () => {
      const roll = universe?.rollExpiry();
      if (roll !== undefined) market.delist(roll.delisted);
      return roll;
    },
    clear: () => {
      faultState.clear();
      feed.unmuteConnections();
    },
    active: () => faultState.snapshot(),
  };

  const stats = (): SimulatorStats => {
    const now = options.clock();
    const tokens: Record<string, TokenStats> = {};
    for (const q of market.quotes)
      tokens[String(q.instrument.token)] = tokenStats(q, { ...counterOf(q.instrument.token) });
    return {
      now,
      marketOpen: marketSession.isOpen(epochMs(now)),
      tokens,
      clients: feed.clients(),
      connections: feed.connections(),
      totals: feed.totals(),
      rest: { counts: { ...log.counts }, requests: [...log.requests] },
      faults: faultState.snapshot(),
      liveSessions: sessions.live(now),
    };
  };

  const emitTicks = (count: number): number => {
    feed.emit(count, options.clock());
    return count;
  };

  const server = makeHttpServer({ rest, faults, stats, emitTicks }, log);
  server.on('upgrade', (req, socket, head) => {
    feed.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  feed.start();
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  options.logger?.info('m.Stock simulator listening', { url: `http://${host}:${port}` });

  return {
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    port,
    options,
    stats,
    faults,
    emitTicks,
    close: async () => {
      await feed.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
};
