import type { MarketSession } from '../domain/market-session.ts';
import type { FaultState } from './fault-state.ts';
import type { SimInstrument } from './instrument-list.ts';
import type { SimMarket } from './market-model.ts';
import type { RequestRateLimit } from './request-rate-limit.ts';
import type { RestReply } from './rest-envelope.ts';
import type { ServedCandles } from './served-candles.ts';
import type { SessionStore } from './session-store.ts';
import type { SimUniverse } from './sim-universe.ts';
import type { SimulatorOptions } from './simulator-options.ts';

/** What the REST routes share. */
export interface RestDeps {
  readonly options: SimulatorOptions;
  readonly sessions: SessionStore;
  /** Generated before the simulator started, the trade tape's after. */
  readonly candles: ServedCandles;
  readonly market: SimMarket;
  readonly marketSession: MarketSession;
  readonly instruments: ReadonlyMap<number, SimInstrument>;
  /** The large universe's master, served as it is; undefined: the master lists the instruments quoted. */
  readonly universe: SimUniverse | undefined;
  readonly faults: FaultState;
  readonly rateLimit: RequestRateLimit;
  /**
   * Market-clock times of the good `connect/login`s not yet followed by their OTP or TOTP, oldest
   * first: each opens its own window, so clients logging in at the same time do not spoil each other's.
   */
  readonly login: { readonly pending: number[] };
  /** Closes the feeds opened with these access tokens (their sessions were ended). */
  readonly closeFeeds: (accessTokens: readonly string[]) => void;
}

/** A request under /openapi/typea, already read: path segments after it, query, form body. */
export interface RestRequest {
  readonly method: string;
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly form: Readonly<Record<string, string>>;
  readonly authorization: string | undefined;
}

export interface RouteResult {
  /** The route's name in stats: 'connect/login', 'historical', ... */
  readonly route: string;
  readonly reply: RestReply;
  readonly bars?: number;
}
