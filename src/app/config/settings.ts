import {
  Bool,
  BrokerList,
  CommaList,
  DateList,
  intInRange,
  NonEmptyString,
  oneOf,
  Port,
  UrlWithScheme,
} from './env-codecs.ts';
import { setting } from './setting.ts';

/**
 * Every environment variable tickflow reads, with its default and meaning: the one place where
 * defaults live. `tickflow live --check-config` prints them as decoded, secrets masked.
 */
export const SETTINGS = {
  // The broker account. Required in live mode; the simulator accepts the same values.
  mstockUser: setting('MSTOCK_USER', NonEmptyString, 'm.Stock login (client code)'),
  mstockPass: setting('MSTOCK_PASS', NonEmptyString, 'm.Stock password', { secret: true }),
  mstockApiKey: setting('MSTOCK_API_KEY', NonEmptyString, 'API key from the m.Stock portal', {
    secret: true,
  }),
  mstockTotpSecret: setting(
    'MSTOCK_TOTP_SECRET',
    NonEmptyString,
    'base32 TOTP secret, for unattended login',
    { secret: true },
  ),
  mstockOtp: setting(
    'MSTOCK_OTP',
    NonEmptyString,
    'one-time password sent by SMS, when no TOTP secret is set',
    { secret: true },
  ),
  mstockApiUrl: setting('MSTOCK_API_URL', UrlWithScheme(['https', 'http']), 'REST base URL', {
    default: 'https://api.mstock.trade',
  }),
  mstockWsUrl: setting('MSTOCK_WS_URL', UrlWithScheme(['wss', 'ws']), 'live feed URL', {
    default: 'wss://ws.mstock.trade',
  }),
  mstockTickTimeZone: setting(
    'MSTOCK_TICK_TIME_ZONE',
    oneOf(['ist', 'utc'] as const),
    'whether feed times count seconds from 1980-01-01 IST or UTC (open question 1)',
    {
      default: 'ist',
    },
  ),
  subscriptionMode: setting(
    'MSTOCK_MODE',
    oneOf(['ltp', 'quote', 'full'] as const),
    'feed mode for every instrument',
    { default: 'full' },
  ),
  maxTokensPerConnection: setting(
    'MSTOCK_MAX_TOKENS_PER_CONNECTION',
    intInRange(1, 10_000),
    'instruments per subscribe message and socket',
    { default: 1000 },
  ),
  feedStaleAfterMs: setting(
    'FEED_STALE_AFTER_MS',
    intInRange(1000, 600_000),
    'a socket silent this long during market hours is replaced',
    { default: 15_000 },
  ),
  historyRatePerSecond: setting(
    'MSTOCK_HISTORY_RATE_PER_SECOND',
    intInRange(0, 1000),
    'historical requests per second (0: no limit)',
    { default: 1 },
  ),

  instruments: setting(
    'INSTRUMENTS',
    CommaList,
    'instrument tokens to follow, comma-separated (default: config/nifty50.csv)',
  ),
  instrumentsFile: setting('INSTRUMENTS_FILE', NonEmptyString, 'CSV of symbol,token,exchange,kind', {
    default: 'config/nifty50.csv',
  }),
  extraHolidays: setting(
    'MARKET_EXTRA_HOLIDAYS',
    DateList,
    'exchange holidays to add to the built-in table',
    { default: [] },
  ),

  kafkaBroker: setting('KAFKA_BROKER', BrokerList, 'Kafka bootstrap brokers', { default: ['kafka:9092'] }),
  tickTopic: setting('TICK_TOPIC', NonEmptyString, 'topic for ticks', { default: 'market_ticks' }),

  redisUrl: setting('REDIS_URL', UrlWithScheme(['redis', 'rediss']), 'Redis for operator commands', {
    default: 'redis://127.0.0.1:6379',
  }),
  commandChannel: setting('REDIS_COMMAND_CHANNEL', NonEmptyString, 'pub/sub channel for commands', {
    default: 'system:commands',
  }),

  logLevel: setting('LOG_LEVEL', oneOf(['debug', 'info', 'warn', 'error'] as const), 'lowest level logged', {
    default: 'info',
  }),
  logFormat: setting(
    'LOG_FORMAT',
    oneOf(['auto', 'human', 'json'] as const),
    'auto: human on a terminal, JSON otherwise',
    { default: 'auto' },
  ),
  metricsPort: setting('METRICS_PORT', Port, 'HTTP port of /metrics, /healthz, /readyz (0: any free port)', {
    default: 9464,
  }),
  metricsHost: setting('METRICS_HOST', NonEmptyString, 'address the telemetry server binds', {
    default: '0.0.0.0',
  }),

  dataDir: setting('DATA_DIR', NonEmptyString, 'folder for the tick journal, event log and backfill data', {
    default: '.tickflow',
  }),
  backfillOnStart: setting(
    'BACKFILL_ON_START',
    oneOf(['auto', 'always', 'never'] as const),
    'auto: backfill at start when the market is closed',
    {
      default: 'auto',
    },
  ),
  backfillDays: setting('BACKFILL_DAYS', intInRange(1, 60), 'trading days a backfill covers', { default: 5 }),
  shutdownGraceMs: setting(
    'SHUTDOWN_GRACE_MS',
    intInRange(0, 600_000),
    'time allowed to flush on SIGTERM before exiting',
    { default: 20_000 },
  ),
  debugTickLogPerSecond: setting(
    'DEBUG_TICK_LOG_PER_SECOND',
    intInRange(0, 100_000),
    'most "Tick received" debug lines per second',
    { default: 50 },
  ),
  recordFrames: setting('RECORD_FRAMES', Bool, 'live: also record raw frames to DATA_DIR/recordings', {
    default: false,
  }),
} as const;

export type SettingKey = keyof typeof SETTINGS;
