import {
  Base32Secret,
  Bool,
  BrokerList,
  CommaList,
  DateList,
  intInRange,
  IstClockTime,
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
  mstockTotpSecret: setting('MSTOCK_TOTP_SECRET', Base32Secret, 'base32 TOTP secret, for unattended login', {
    secret: true,
  }),
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
  maxInstrumentsPerSocket: setting(
    'MSTOCK_MAX_INSTRUMENTS_PER_SOCKET',
    intInRange(1, 10_000),
    'instruments per feed socket and per subscribe message (m.Stock documents no limit; 1000 is the community figure)',
    { default: 1000 },
  ),
  maxSockets: setting(
    'MSTOCK_MAX_SOCKETS',
    intInRange(1, 20),
    'feed sockets tickflow may open; a selection needing more stops the start (Kite allows 3 per API key)',
    { default: 3 },
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
  instrumentsQuery: setting(
    'INSTRUMENTS_QUERY',
    NonEmptyString,
    'instruments to follow, selected from the broker instrument master, e.g. `segment=NFO-OPT name=NIFTY expiry=nearest` (instead of INSTRUMENTS_FILE; see README "Selecting instruments")',
  ),
  instrumentsRefreshAt: setting(
    'INSTRUMENTS_REFRESH_AT',
    IstClockTime,
    'IST time of day, each trading day, when INSTRUMENTS_QUERY is evaluated again on a fresh master',
    { default: '08:30' },
  ),
  extraHolidays: setting(
    'MARKET_EXTRA_HOLIDAYS',
    DateList,
    'exchange holidays to add to the built-in table',
    { default: [] },
  ),

  kafkaBroker: setting('KAFKA_BROKER', BrokerList, 'Kafka bootstrap brokers', { default: ['kafka:9092'] }),
  tickTopic: setting('TICK_TOPIC', NonEmptyString, 'topic for ticks', { default: 'market_ticks' }),

  quarantineTopic: setting(
    'QUARANTINE_TOPIC',
    NonEmptyString,
    'topic for ticks that failed validation, as {reason, tick}, keyed by token',
    { default: 'market_ticks_quarantine' },
  ),
  gapTopic: setting('GAP_TOPIC', NonEmptyString, 'topic for feed gaps opened and filled, keyed by token', {
    default: 'market_gaps',
  }),
  candleTopic: setting(
    'CANDLE_TOPIC',
    NonEmptyString,
    'topic for 1-minute bars built from live ticks, keyed by token',
    {
      default: 'market_candles',
    },
  ),
  priceBandPercent: setting(
    'PRICE_BAND_PERCENT',
    intInRange(1, 1000),
    'a tick without circuit limits is quarantined when its price is this far (%) from the previous close',
    { default: 25 },
  ),
  maxExchangeLeadMs: setting(
    'MAX_EXCHANGE_LEAD_MS',
    intInRange(0, 86_400_000),
    'a tick whose exchange time is this far ahead of its receive time is quarantined',
    { default: 5000 },
  ),
  maxExchangeLagMs: setting(
    'MAX_EXCHANGE_LAG_MS',
    intInRange(1000, 86_400_000),
    'during the session, a tick whose exchange time is this far behind its receive time is quarantined',
    { default: 120_000 },
  ),
  silentInstrumentFactor: setting(
    'SILENT_INSTRUMENT_FACTOR',
    intInRange(2, 100_000),
    'an instrument silent for this many of its usual intervals (in market hours) is a gap',
    { default: 20 },
  ),
  silentInstrumentFloorMs: setting(
    'SILENT_INSTRUMENT_FLOOR_MS',
    intInRange(100, 86_400_000),
    'never call an instrument silent sooner than this',
    { default: 30_000 },
  ),
  subscriptionConfirmMs: setting(
    'SUBSCRIPTION_CONFIRM_MS',
    intInRange(1000, 3_600_000),
    'in market hours, an instrument with no packet this long after a connect is subscribed again',
    { default: 10_000 },
  ),
  reconcileAfterClose: setting(
    'RECONCILE_AFTER_CLOSE',
    Bool,
    "after the close, compare the live 1-minute bars with the broker's candles (one request per instrument)",
    { default: true },
  ),
  gapFillMaxAttempts: setting(
    'GAP_FILL_MAX_ATTEMPTS',
    intInRange(1, 20),
    'backfills of a gap that may come back short of the calendar before it is closed as short',
    { default: 3 },
  ),
  gapFillRetryMs: setting(
    'GAP_FILL_RETRY_MS',
    intInRange(100, 86_400_000),
    'wait before asking the broker again for bars a gap backfill came back short of',
    { default: 300_000 },
  ),

  redisUrl: setting('REDIS_URL', UrlWithScheme(['redis', 'rediss']), 'Redis for operator commands', {
    default: 'redis://127.0.0.1:6379',
  }),
  commandChannel: setting('REDIS_COMMAND_CHANNEL', NonEmptyString, 'pub/sub channel for commands', {
    default: 'system:commands',
  }),
  redisUsername: setting('REDIS_USERNAME', NonEmptyString, 'Redis ACL user (overrides a user in REDIS_URL)'),
  redisPassword: setting('REDIS_PASSWORD', NonEmptyString, 'Redis password (overrides one in REDIS_URL)', {
    secret: true,
  }),
  redisTlsCaFile: setting('REDIS_TLS_CA_FILE', NonEmptyString, 'PEM file of a private CA, for rediss://'),
  redisHeartbeatMs: setting(
    'REDIS_HEARTBEAT_MS',
    intInRange(100, 600_000),
    'PING the subscriber connection this often',
    { default: 5000 },
  ),
  redisTimeoutMs: setting(
    'REDIS_TIMEOUT_MS',
    intInRange(100, 600_000),
    'how long Redis calls wait for a connection and a reply',
    {
      default: 10_000,
    },
  ),
  eventLog: setting('EVENT_LOG', oneOf(['file', 'kafka'] as const), 'where plan and gap events are kept', {
    default: 'file',
  }),
  eventLogDir: setting(
    'EVENT_LOG_DIR',
    NonEmptyString,
    'folder of the file event log (default: DATA_DIR/events)',
  ),
  eventLogTopic: setting('EVENT_LOG_TOPIC', NonEmptyString, 'topic of the Kafka event log', {
    default: 'tickflow_events',
  }),

  clusterGroup: setting(
    'CLUSTER_GROUP',
    NonEmptyString,
    'instances with the same group share the instruments via a Kafka consumer group (unset: no cluster)',
  ),
  clusterTopic: setting(
    'CLUSTER_TOPIC',
    NonEmptyString,
    'cluster topic, partition i = shard i (created with CLUSTER_SHARDS partitions when missing)',
    { default: 'tickflow_shards' },
  ),
  clusterShards: setting(
    'CLUSTER_SHARDS',
    intInRange(1, 10_000),
    'shards the instruments are spread over (shard = FNV-1a of the token mod this)',
    { default: 12 },
  ),
  clusterSessionTimeoutMs: setting(
    'CLUSTER_SESSION_TIMEOUT_MS',
    // Kafka's group.min/max.session.timeout.ms defaults: the broker refuses a value outside them.
    intInRange(6000, 1_800_000),
    'a member silent this long leaves the group, its shards move (broker bounds: 6000..1800000 by default)',
    { default: 10_000 },
  ),

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

  dataDir: setting(
    'DATA_DIR',
    NonEmptyString,
    'folder for the tick journal, event log and backfill data (relative: to the working folder)',
    {
      default: '.tickflow',
    },
  ),
  backfillOnStart: setting(
    'BACKFILL_ON_START',
    oneOf(['auto', 'always', 'never'] as const),
    'auto: backfill at start when the market is closed',
    {
      default: 'auto',
    },
  ),
  backfillDays: setting('BACKFILL_DAYS', intInRange(1, 60), 'trading days a backfill covers', { default: 5 }),
  backfillInterval: setting(
    'BACKFILL_INTERVAL',
    oneOf(['minute', '3minute', '5minute', '10minute', '15minute', '30minute', '60minute', 'day'] as const),
    'candle interval a backfill fetches when the request names none',
    { default: 'minute' },
  ),
  backfillChildHangMs: setting(
    'BACKFILL_CHILD_HANG_MS',
    intInRange(200, 3_600_000),
    'a backfill stage process that sends nothing (not even a heartbeat) this long is killed and restarted',
    { default: 30_000 },
  ),
  backfillStageStallMs: setting(
    'BACKFILL_STAGE_STALL_MS',
    intInRange(1000, 86_400_000),
    'a backfill stage that has work but reports no chunk done or failed this long fails the job',
    { default: 600_000 },
  ),
  backfillChildMaxRestarts: setting(
    'BACKFILL_CHILD_MAX_RESTARTS',
    intInRange(0, 100),
    'restarts of a crashed or hung backfill stage process before the job fails',
    { default: 3 },
  ),
  backfillChunkMaxAttempts: setting(
    'BACKFILL_CHUNK_MAX_ATTEMPTS',
    intInRange(1, 100),
    'failed tries after which a backfill chunk is given up (the job then ends failed)',
    { default: 3 },
  ),
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
