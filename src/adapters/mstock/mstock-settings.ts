import type { EpochMs } from '../../domain/units.ts';
import type { BackoffSettings } from './backoff.ts';
import type { TickTimeZone } from '../../protocol/mstock/feed-time.ts';
import { PAISE_PER_RUPEE } from '../../protocol/mstock/packet-layout.ts';
import type { HistoricalSettings } from './mstock-historical-data.ts';
import type { SessionTakeoverSettings } from './session-takeover.ts';

export interface FeedSettings {
  /** The live feed, MSTOCK_WS_URL. */
  readonly wsUrl: string;
  /** How feed times count from 1980 (open question 1), MSTOCK_TICK_TIME_ZONE. */
  readonly tickTimeZone: TickTimeZone;
  /** Paise to rupees for NSE, BSE and NFO. */
  readonly priceDivisor: number;
  /**
   * Instruments one socket carries, and per subscribe/mode message (MSTOCK_MAX_INSTRUMENTS_PER_SOCKET).
   * m.Stock documents no limit: 1000 is the community's figure (Kite allows 3000).
   */
  readonly maxInstrumentsPerSocket: number;
  /** Sockets one feed may open at once (MSTOCK_MAX_SOCKETS; Kite allows 3 per API key). */
  readonly maxSockets: number;
  /** A socket with no frame at all (heartbeats count) for this long while the market is open is replaced. */
  readonly staleAfterMs: number;
  /** Whether silence is suspicious at `at`; the lead passes MarketSession's `isOpen`. */
  readonly isMarketOpen: (at: EpochMs) => boolean;
  readonly reconnectBackoff: BackoffSettings;
  /** Time allowed for the WebSocket handshake. */
  readonly handshakeTimeoutMs: number;
  /**
   * A refused handshake, or a connection that closes before its first frame, may mean a bad token
   * (m.Stock has answered bad credentials with a bare 502): after this many in a row, log in
   * again before the next try. A 401/403 handshake logs in again at once.
   */
  readonly reloginAfterFailedConnections: number;
  /** Frames queued for a slow consumer before the socket is paused; it resumes at a quarter of this. */
  readonly highWaterMarkFrames: number;
  /** `Tick received for <token>` at most once per token per this many ms (debug level only). */
  readonly debugTickLogIntervalMs: number;
  /** And at most this many such lines per second in all (0: none). */
  readonly debugTickLogPerSecond: number;
  /** A malformed packet of a given length and reason is logged at most once per this many ms. */
  readonly malformedLogIntervalMs: number;
  /**
   * When the broker keeps ending our young sessions (another login with the same user, if m.Stock
   * allows one session per user: unknown), report it once and wait longer before each login.
   */
  readonly sessionTakeover: SessionTakeoverSettings;
}

export interface SessionSettingsInput {
  /** Log in again this long before the token's expiry. */
  readonly renewMarginMs: number;
  /** `checksum` sent with an OTP to `session/token` (mstock-protocol.md: `L`). */
  readonly otpChecksum: string;
}

/** Everything the m.Stock adapters need besides credentials and collaborators. */
export interface MstockSettings {
  /** REST base URL, MSTOCK_API_URL; the Type A prefix `/openapi/typea` is added. */
  readonly apiUrl: string;
  /** A REST call with no answer in this time fails as a network error. */
  readonly requestTimeoutMs: number;
  readonly session: SessionSettingsInput;
  readonly feed: FeedSettings;
  readonly historical: HistoricalSettings;
}

/** The defaults, each from mstock-protocol.md or chosen (and then said so). */
export const DEFAULT_MSTOCK_SETTINGS: MstockSettings = Object.freeze({
  apiUrl: 'https://api.mstock.trade',
  requestTimeoutMs: 15_000,
  session: Object.freeze({ renewMarginMs: 10 * 60_000, otpChecksum: 'L' }),
  feed: Object.freeze({
    wsUrl: 'wss://ws.mstock.trade',
    tickTimeZone: 'ist',
    priceDivisor: PAISE_PER_RUPEE,
    maxInstrumentsPerSocket: 1000,
    maxSockets: 3,
    staleAfterMs: 15_000,
    isMarketOpen: () => true,
    reconnectBackoff: Object.freeze({ initialMs: 500, maxMs: 30_000, multiplier: 2 }),
    handshakeTimeoutMs: 10_000,
    reloginAfterFailedConnections: 3,
    highWaterMarkFrames: 1000,
    debugTickLogIntervalMs: 1000,
    debugTickLogPerSecond: 50,
    malformedLogIntervalMs: 60_000,
    // Longer than the backoff's cap, so two holders fighting at the cap stay one episode.
    sessionTakeover: Object.freeze({
      windowMs: 5 * 60_000,
      endsBeforeReport: 2,
      loginBackoff: Object.freeze({ initialMs: 5000, maxMs: 60_000, multiplier: 2 }),
    }),
  }),
  historical: Object.freeze({
    rateLimit: Object.freeze({ perSecond: 1, burst: 1 }),
    maxBarsPerRequest: 1000,
    sessionMinutesPerDay: 375,
    maxAttempts: 5,
    retryBackoff: Object.freeze({ initialMs: 1000, maxMs: 30_000, multiplier: 2 }),
  }),
} satisfies MstockSettings);

/** Overrides for any field, nested objects included; what is left out keeps its default. */
export interface MstockSettingsInput {
  readonly apiUrl?: string;
  readonly requestTimeoutMs?: number;
  readonly session?: Partial<SessionSettingsInput>;
  readonly feed?: Partial<Omit<FeedSettings, 'reconnectBackoff' | 'sessionTakeover'>> & {
    readonly reconnectBackoff?: Partial<BackoffSettings>;
    readonly sessionTakeover?: Partial<Omit<SessionTakeoverSettings, 'loginBackoff'>> & {
      readonly loginBackoff?: Partial<BackoffSettings>;
    };
  };
  readonly historical?: Partial<Omit<HistoricalSettings, 'rateLimit' | 'retryBackoff'>> & {
    readonly rateLimit?: Partial<HistoricalSettings['rateLimit']>;
    readonly retryBackoff?: Partial<BackoffSettings>;
  };
}

/** The settings with every default filled in, frozen. */
export const mstockSettings = (input: MstockSettingsInput = {}): MstockSettings => {
  const d = DEFAULT_MSTOCK_SETTINGS;
  const feed = input.feed ?? {};
  const historical = input.historical ?? {};
  return Object.freeze({
    apiUrl: input.apiUrl ?? d.apiUrl,
    requestTimeoutMs: input.requestTimeoutMs ?? d.requestTimeoutMs,
    session: Object.freeze({ ...d.session, ...input.session }),
    feed: Object.freeze({
      ...d.feed,
      ...feed,
      reconnectBackoff: Object.freeze({ ...d.feed.reconnectBackoff, ...feed.reconnectBackoff }),
      sessionTakeover: Object.freeze({
        ...d.feed.sessionTakeover,
        ...feed.sessionTakeover,
        loginBackoff: Object.freeze({
          ...d.feed.sessionTakeover.loginBackoff,
          ...feed.sessionTakeover?.loginBackoff,
        }),
      }),
    }),
    historical: Object.freeze({
      ...d.historical,
      ...historical,
      rateLimit: Object.freeze({ ...d.historical.rateLimit, ...historical.rateLimit }),
      retryBackoff: Object.freeze({ ...d.historical.retryBackoff, ...historical.retryBackoff }),
    }),
  });
};
