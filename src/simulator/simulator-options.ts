import type { TickTimeZone } from '../protocol/mstock/feed-time.ts';
import type { MarketSession } from '../domain/market-session.ts';
import { MS_PER_HOUR } from '../domain/units.ts';
import type { Logger } from '../ports/logger/logger.ts';
import type { SubscriptionMode } from '../ports/broker-feed.ts';
import type { DayCandleLabel } from './bar-aggregation.ts';
import type { SimInstrument } from './instrument-list.ts';

/** The one account the simulator knows. */
export interface SimulatorCredentials {
  readonly user: string;
  readonly password: string;
  readonly apiKey: string;
  /** Base32 (RFC 4648) TOTP secret. */
  readonly totpSecret: string;
  /** The SMS OTP the simulator "sends". */
  readonly otp: string;
}

/** Demo values, used where MSTOCK_USER / MSTOCK_PASS / ... are unset; the CLI prints them at start. */
export const DEMO_USER = 'demo';
export const DEMO_PASSWORD = 'demo';
export const DEMO_API_KEY = 'demo-api-key';
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const DEMO_OTP = '123456';
export const DEMO_CREDENTIALS: SimulatorCredentials = {
  user: DEMO_USER,
  password: DEMO_PASSWORD,
  apiKey: DEMO_API_KEY,
  totpSecret: DEMO_TOTP_SECRET,
  otp: DEMO_OTP,
};

/** Candle timestamps end in an offset: m.Stock cuts it to '+05' (meaning IST); the others for tests. */
export type CandleOffsetFormat = '+05' | '+0530' | '+05:30';

/** Whose time a TOTP code is checked against: the market clock, the wall clock, or either. */
export type TotpTimeSource = 'clock' | 'wall' | 'either';

/**
 * Every setting of the simulator, with its default in `DEFAULT_SIMULATOR_OPTIONS`. Settings marked
 * (inferred) stand for behaviour the protocol doc lists as unknown: change them to test a client
 * against the other answer.
 */
export interface SimulatorOptions {
  readonly host: string;
  /** 0 = any free port (read it back from `RunningSimulator.port`). */
  readonly port: number;
  readonly seed: number;
  /** Ticks per second across all instruments. 0 = none (use `emitTicks`). */
  readonly rate: number;
  /** Tick outside market hours too. */
  readonly alwaysOpen: boolean;
  /** Market time (epoch ms): ticks, candles, sessions. Tests place it in or out of market hours. */
  readonly clock: () => number;
  readonly credentials: SimulatorCredentials;
  /** The instruments quoted. Given neither this nor `instrumentFile`, the simulator does not start. */
  readonly instruments?: readonly SimInstrument[];
  /** An instrument list file (config/nifty50.csv's format) read at start, unless `instruments` is given. */
  readonly instrumentFile?: string;
  /**
   * What the master lists and the feed quotes: 'nifty50', the instruments given (today's
   * behaviour); 'large', those plus > 5,000 rows of NSE and BSE equities, indices, NIFTY and
   * BANKNIFTY futures and weekly options (`large-master.ts`), of which only followed ones tick.
   */
  readonly universe: SimulatorUniverse;
  /** Trading calendar; default: `makeMarketSession()`. */
  readonly marketSession?: MarketSession;
  readonly logger?: Logger;
  /** How feed times count seconds since 1980 (open question 1; MSTOCK_TICK_TIME_ZONE). */
  readonly tickTimeZone: TickTimeZone;
  /** How often the market is advanced and frames are sent. */
  readonly pumpIntervalMs: number;
  /** Packets per binary frame at most (the header's uint16 allows 65535). */
  readonly maxPacketsPerFrame: number;
  /** Mode of a token after subscribe, before any mode message (inferred: quote). */
  readonly defaultMode: SubscriptionMode;
  /** The equity packet for `full`: 184 bytes, or 200 with circuit limits and 52-week range. */
  readonly fullEquityPacket: 'full184' | 'full200';
  /** The index packet for `full`: 32 bytes, or m.Stock's 48-byte form. */
  readonly fullIndexPacket: 'index32' | 'index48';
  /** A 1-byte heartbeat frame after this long without a frame (inferred). 0 = never. */
  readonly heartbeatIntervalMs: number;
  /** The client must send `LOGIN:<token>` within this time, else the socket is closed. */
  readonly loginTimeoutMs: number;
  /** Instruments per connection (inferred: 1000); tokens beyond it are refused with an error message. */
  readonly maxInstrumentsPerConnection: number;
  /** HTTP status of a refused WebSocket handshake (a bare 502 has been seen). */
  readonly handshakeRefusalStatus: number;
  /** Historical and intraday requests per second; 0 = unlimited. */
  readonly historicalRatePerSecond: number;
  /** Status of a throttled request (inferred: 429). */
  readonly rateLimitStatus: number;
  /** Status of an invalid or expired token (docs: 401; Kite lineage: 403). */
  readonly tokenErrorStatus: number;
  /** Status of a business failure such as a wrong password (the envelope says error; HTTP may say 200). */
  readonly businessErrorStatus: number;
  readonly maxBarsPerRequest: number;
  readonly candleOffsetFormat: CandleOffsetFormat;
  readonly dayCandleLabel: DayCandleLabel;
  /** A session lasts this long, or until midnight IST, whichever comes first. */
  readonly sessionMaxAgeMs: number;
  /** An OTP (or TOTP) must follow `connect/login` within this time. */
  readonly otpValidityMs: number;
  readonly totpTimeSource: TotpTimeSource;
  /** NSE index tokens may be missing from the real instrument master: off by default. */
  readonly scriptMasterIncludesIndices: boolean;
  /** Routes answered inside a one-element JSON array, as some m.Stock routes do (e.g. 'connect/login'). */
  readonly arrayWrappedRoutes: readonly string[];
  /** Per connection: frames are dropped (and counted) while more than this is waiting to be sent. */
  readonly maxBufferedBytes: number;
  /**
   * A login ends the user's older sessions: their tokens are refused and their feeds closed (1008,
   * as an expired session's). Whether m.Stock does this is unknown; off, sessions live side by side.
   */
  readonly singleSession: boolean;
}

export type SimulatorUniverse = 'nifty50' | 'large';

/** What a start must name: the instruments to quote, or the file to read them from. */
export type SimulatorInstruments =
  { readonly instruments: readonly SimInstrument[] } | { readonly instrumentFile: string };

export const DEFAULT_SIMULATOR_OPTIONS: SimulatorOptions = {
  host: '127.0.0.1',
  port: 0,
  seed: 1,
  rate: 50,
  alwaysOpen: false,
  universe: 'nifty50',
  clock: () => Date.now(),
  credentials: DEMO_CREDENTIALS,
  tickTimeZone: 'ist',
  pumpIntervalMs: 100,
  maxPacketsPerFrame: 1000,
  defaultMode: 'quote',
  fullEquityPacket: 'full184',
  fullIndexPacket: 'index32',
  heartbeatIntervalMs: 3000,
  loginTimeoutMs: 10_000,
  maxInstrumentsPerConnection: 1000,
  handshakeRefusalStatus: 502,
  historicalRatePerSecond: 1,
  rateLimitStatus: 429,
  tokenErrorStatus: 403,
  businessErrorStatus: 200,
  maxBarsPerRequest: 1000,
  candleOffsetFormat: '+05',
  dayCandleLabel: 'midnight',
  sessionMaxAgeMs: 12 * MS_PER_HOUR,
  otpValidityMs: 5 * 60_000,
  totpTimeSource: 'either',
  scriptMasterIncludesIndices: false,
  arrayWrappedRoutes: [],
  maxBufferedBytes: 32 * 1024 * 1024,
  singleSession: false,
};

/** Credentials from the variables the adapter reads; unset ones take the demo values. */
export const credentialsFromEnv = (
  env: Readonly<Record<string, string | undefined>>,
): { readonly credentials: SimulatorCredentials; readonly demo: readonly string[] } => {
  const pick = (name: string, demo: string, used: string[]): string => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    used.push(name);
    return demo;
  };
  const demo: string[] = [];
  return {
    credentials: {
      user: pick('MSTOCK_USER', DEMO_USER, demo),
      password: pick('MSTOCK_PASS', DEMO_PASSWORD, demo),
      apiKey: pick('MSTOCK_API_KEY', DEMO_API_KEY, demo),
      totpSecret: pick('MSTOCK_TOTP_SECRET', DEMO_TOTP_SECRET, demo),
      otp: pick('MSTOCK_OTP', DEMO_OTP, demo),
    },
    demo,
  };
};
