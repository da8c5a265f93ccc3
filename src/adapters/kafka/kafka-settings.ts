import * as t from 'io-ts';
import { either as E } from 'fp-ts';
import { OVERFLOW_POLICIES, type OverflowPolicy } from '../tick-journal/journal-writer.ts';
import type { TickJournalOptions } from '../tick-journal/tick-journal.ts';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

/** Which Kafka client library produces the ticks (KAFKA_CLIENT); both run the same sink loop and journal. */
export type KafkaClientKind = 'kafkajs' | 'platformatic';
export const KAFKA_CLIENTS: readonly KafkaClientKind[] = ['kafkajs', 'platformatic'];

export interface SaslSettings {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: string;
}

/** TLS on; each file is optional (the system CAs are used without a CA file). */
export interface TlsSettings {
  readonly caFile: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
}

/** Everything the Kafka tick sink needs; `decodeKafkaSinkSettings` fills it from the environment. */
export interface KafkaSinkSettings {
  /** The producer behind the sink: kafkajs, or @platformatic/kafka (see bench/README.md for the figures). */
  readonly client: KafkaClientKind;
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topic: string;
  /** Used when the sink creates the topic; an existing topic with another count gets a warning. */
  readonly topicPartitions: number;
  readonly replicationFactor: number;
  /** No SASL when undefined. */
  readonly sasl: SaslSettings | undefined;
  /** Plaintext when undefined. */
  readonly tls: TlsSettings | undefined;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** How long start may wait for the broker before it fails naming KAFKA_BROKER. */
  readonly startupTimeoutMs: number;
  /**
   * True: start waits for Kafka (up to `startupTimeoutMs`) and fails without it. False: the sink
   * starts at once on its journal and meets Kafka (topic checks included) when it first answers.
   */
  readonly requiredAtStart: boolean;
  /** A batch goes to Kafka once it holds this many ticks... */
  readonly batchMaxTicks: number;
  /** ...or once its oldest tick has waited this long. */
  readonly batchMaxMs: number;
  /** Ticks held in memory awaiting Kafka; past this, new ticks go to the journal. */
  readonly memoryMaxTicks: number;
  /** Ticks Kafka has not acknowledged after this long are moved to the journal. */
  readonly spillAfterMs: number;
  readonly journal: TickJournalOptions;
  /** What publish does when the journal is at its byte limit. */
  readonly overflowPolicy: OverflowPolicy;
  /** How long close may spend flushing to Kafka; the rest stays in the journal. */
  readonly closeTimeoutMs: number;
}

export interface EnvSpec {
  readonly default: string;
  readonly doc: string;
}

/** The environment variables the sink reads, with their defaults (an empty value means the default). */
export const KAFKA_SINK_ENV = {
  KAFKA_BROKER: { default: 'localhost:9092', doc: 'Kafka bootstrap brokers, host:port[,host:port...]' },
  KAFKA_CLIENT: {
    default: 'kafkajs',
    doc: 'Kafka client library of the tick producer: kafkajs or platformatic',
  },
  KAFKA_CLIENT_ID: { default: 'tickflow', doc: 'client id the broker sees' },
  TICK_TOPIC: { default: 'market_ticks', doc: 'topic the ticks go to, keyed by token' },
  KAFKA_TOPIC_PARTITIONS: { default: '6', doc: 'partitions when the sink creates the topic' },
  KAFKA_REPLICATION_FACTOR: { default: '1', doc: 'replication factor when the sink creates the topic' },
  KAFKA_SASL_MECHANISM: { default: '', doc: 'empty (no SASL), plain, scram-sha-256 or scram-sha-512' },
  KAFKA_SASL_USERNAME: { default: '', doc: 'SASL user; required with a mechanism' },
  KAFKA_SASL_PASSWORD: { default: '', doc: 'SASL password; required with a mechanism; never logged' },
  KAFKA_TLS: { default: 'false', doc: 'true to connect over TLS' },
  KAFKA_TLS_CA_FILE: { default: '', doc: 'PEM file of the CA(s) to trust; system CAs when empty' },
  KAFKA_TLS_CERT_FILE: { default: '', doc: 'PEM client certificate (mutual TLS), with KAFKA_TLS_KEY_FILE' },
  KAFKA_TLS_KEY_FILE: { default: '', doc: 'PEM client key (mutual TLS), with KAFKA_TLS_CERT_FILE' },
  KAFKA_CONNECTION_TIMEOUT_MS: { default: '3000', doc: 'TCP/TLS connect timeout per attempt' },
  KAFKA_REQUEST_TIMEOUT_MS: { default: '10000', doc: 'timeout of one request to a broker' },
  KAFKA_STARTUP_TIMEOUT_MS: {
    default: '30000',
    doc: 'how long start waits for a reachable broker (KAFKA_REQUIRED_AT_START=true)',
  },
  KAFKA_REQUIRED_AT_START: {
    default: 'false',
    doc: 'true: exit when no broker answers in time; false: start on the journal, drain it once Kafka answers',
  },
  KAFKA_BATCH_MAX_TICKS: { default: '500', doc: 'ticks per Kafka send at most' },
  KAFKA_BATCH_MAX_MS: { default: '5', doc: 'longest a tick waits for its batch to fill' },
  SINK_MEMORY_MAX_TICKS: { default: '50000', doc: 'ticks held in memory for Kafka before spilling' },
  SINK_SPILL_AFTER_MS: { default: '2000', doc: 'unacknowledged ticks older than this go to the journal' },
  SINK_JOURNAL_DIR: { default: '.tickflow/tick-journal', doc: 'folder of the local tick journal' },
  SINK_JOURNAL_SEGMENT_BYTES: { default: '16777216', doc: 'journal segment file size' },
  SINK_JOURNAL_MAX_BYTES: { default: '1073741824', doc: 'journal size limit (then the overflow policy)' },
  SINK_JOURNAL_FSYNC_MS: { default: '10', doc: 'journal writes are fsync’d together within this time' },
  SINK_JOURNAL_FSYNC_BYTES: { default: '1048576', doc: '...or once this many bytes wait' },
  SINK_OVERFLOW_POLICY: { default: 'block', doc: 'block, drop-newest or fail, when the journal is full' },
  SINK_CLOSE_TIMEOUT_MS: { default: '10000', doc: 'how long close flushes to Kafka' },
} as const satisfies Record<string, EnvSpec>;

export type KafkaSinkEnvName = keyof typeof KAFKA_SINK_ENV;

export interface SettingError {
  readonly setting: KafkaSinkEnvName;
  readonly message: string;
}

const stringType = <A>(name: string, parse: (s: string) => A | undefined, encode: (a: A) => string) =>
  new t.Type<A, string, unknown>(
    name,
    (u): u is A => typeof u === 'string' && parse(u) !== undefined,
    (u, c) => {
      const a = typeof u === 'string' ? parse(u.trim()) : undefined;
      return a === undefined ? t.failure(u, c) : t.success(a);
    },
    encode,
  );

const integer = (min: number, max: number) =>
  stringType(
    `an integer from ${min} to ${max}`,
    (s) => (/^\d+$/.test(s) && Number(s) >= min && Number(s) <= max ? Number(s) : undefined),
    String,
  );

const oneOf = <A extends string>(values: readonly A[]) =>
  stringType(
    `one of ${values.join('|')}`,
    (s) => values.find((v) => v === s),
    (a) => a,
  );

const BOOLEAN = stringType(
  'true or false',
  (s) => (s === 'true' || s === '1' ? true : s === 'false' || s === '0' ? false : undefined),
  String,
);
const BROKER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;
const BROKERS = stringType(
  'host:port[,host:port...]',
  (s) => {
    const list = s.split(',').map((b) => b.trim());
    const ok = list.every((b) => {
      const m = BROKER.exec(b);
      return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
    });
    return ok && list.length > 0 ? list : undefined;
  },
  (a) => a.join(','),
);
const TOPIC = stringType(
  'a topic name of 1 to 249 characters from [A-Za-z0-9._-]',
  (s) => (/^[A-Za-z0-9._-]{1,249}$/.test(s) ? s : undefined),
  (a) => a,
);
const TEXT = stringType(
  'a non-empty value',
  (s) => (s === '' ? undefined : s),
  (a) => a,
);
const SECRETS: ReadonlySet<KafkaSinkEnvName> = new Set(['KAFKA_SASL_PASSWORD']);

/**
 * Decodes the sink's settings from environment-style values, reporting every bad variable by name
 * (`KAFKA_SASL_MECHANISM: expected one of plain|scram-sha-256|scram-sha-512 (got "md5")`).
 */
export const decodeKafkaSinkSettings = (
  env: Readonly<Record<string, string | undefined>>,
): E.Either<readonly SettingError[], KafkaSinkSettings> => {
  const errors: SettingError[] = [];
  const raw = (name: KafkaSinkEnvName): string => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? KAFKA_SINK_ENV[name].default : v;
  };
  const fail = (setting: KafkaSinkEnvName, message: string): void => {
    errors.push({ setting, message: `${setting}: ${message}` });
  };
  const read = <A, F = A>(name: KafkaSinkEnvName, type: t.Type<A, string>, fallback: F): A | F => {
    const value = raw(name);
    const decoded = type.decode(value);
    if (E.isRight(decoded)) return decoded.right;
    // The same form as the application settings' errors; a secret's value is never echoed.
    fail(name, `expected ${type.name}${SECRETS.has(name) ? '' : ` (got "${value.slice(0, 80)}")`}`);
    return fallback;
  };
  const optional = (name: KafkaSinkEnvName): string | undefined => {
    const value = raw(name);
    return value === '' ? undefined : value;
  };

  const mechanismRaw = raw('KAFKA_SASL_MECHANISM');
  const mechanism =
    mechanismRaw === '' ? undefined : read('KAFKA_SASL_MECHANISM', oneOf(SASL_MECHANISMS), undefined);
  const username = optional('KAFKA_SASL_USERNAME');
  const password = optional('KAFKA_SASL_PASSWORD');
  let sasl: SaslSettings | undefined;
  if (mechanism !== undefined) {
    const user = read('KAFKA_SASL_USERNAME', TEXT, '');
    const pass = read('KAFKA_SASL_PASSWORD', TEXT, '');
    sasl = { mechanism, username: user, password: pass };
  } else if (mechanismRaw === '' && (username !== undefined || password !== undefined)) {
    fail('KAFKA_SASL_MECHANISM', `expected one of ${SASL_MECHANISMS.join('|')} when a SASL user is set`);
  }

  const tlsOn = read('KAFKA_TLS', BOOLEAN, false);
  const caFile = optional('KAFKA_TLS_CA_FILE');
  const certFile = optional('KAFKA_TLS_CERT_FILE');
  const keyFile = optional('KAFKA_TLS_KEY_FILE');
  if (!tlsOn)
    for (const [name, file] of [
      ['KAFKA_TLS_CA_FILE', caFile],
      ['KAFKA_TLS_CERT_FILE', certFile],
      ['KAFKA_TLS_KEY_FILE', keyFile],
    ] as const)
      if (file !== undefined) fail(name, 'set, but KAFKA_TLS is false');
  if (tlsOn && (certFile === undefined) !== (keyFile === undefined))
    fail(
      certFile === undefined ? 'KAFKA_TLS_CERT_FILE' : 'KAFKA_TLS_KEY_FILE',
      'client certificate and key go together',
    );

  const segmentBytes = read('SINK_JOURNAL_SEGMENT_BYTES', integer(4096, 2 ** 31 - 1), 0);
  const settings: KafkaSinkSettings = {
    client: read('KAFKA_CLIENT', oneOf(KAFKA_CLIENTS), 'kafkajs'),
    brokers: read('KAFKA_BROKER', BROKERS, []),
    clientId: read('KAFKA_CLIENT_ID', TEXT, ''),
    topic: read('TICK_TOPIC', TOPIC, ''),
    topicPartitions: read('KAFKA_TOPIC_PARTITIONS', integer(1, 10_000), 0),
    replicationFactor: read('KAFKA_REPLICATION_FACTOR', integer(1, 100), 0),
    sasl,
    tls: tlsOn ? { caFile, certFile, keyFile } : undefined,
    connectionTimeoutMs: read('KAFKA_CONNECTION_TIMEOUT_MS', integer(100, 600_000), 0),
    requestTimeoutMs: read('KAFKA_REQUEST_TIMEOUT_MS', integer(100, 600_000), 0),
    startupTimeoutMs: read('KAFKA_STARTUP_TIMEOUT_MS', integer(100, 3_600_000), 0),
    requiredAtStart: read('KAFKA_REQUIRED_AT_START', BOOLEAN, false),
    batchMaxTicks: read('KAFKA_BATCH_MAX_TICKS', integer(1, 100_000), 0),
    batchMaxMs: read('KAFKA_BATCH_MAX_MS', integer(0, 60_000), 0),
    memoryMaxTicks: read('SINK_MEMORY_MAX_TICKS', integer(1, 100_000_000), 0),
    spillAfterMs: read('SINK_SPILL_AFTER_MS', integer(10, 3_600_000), 0),
    journal: {
      dir: read('SINK_JOURNAL_DIR', TEXT, ''),
      segmentBytes,
      maxBytes: read('SINK_JOURNAL_MAX_BYTES', integer(4096, Number.MAX_SAFE_INTEGER), 0),
      fsyncMs: read('SINK_JOURNAL_FSYNC_MS', integer(0, 60_000), 0),
      fsyncBytes: read('SINK_JOURNAL_FSYNC_BYTES', integer(1, 2 ** 31 - 1), 0),
    },
    overflowPolicy: read('SINK_OVERFLOW_POLICY', oneOf(OVERFLOW_POLICIES), 'block'),
    closeTimeoutMs: read('SINK_CLOSE_TIMEOUT_MS', integer(0, 3_600_000), 0),
  };
  return errors.length > 0 ? E.left(errors) : E.right(Object.freeze(settings));
};

const unsetOr = (value: string | undefined): string => value ?? '(unset)';

/**
 * The effective sink settings as `NAME=value` lines, one per variable the sink reads, for
 * `--check-config`; the SASL password is masked. (The record forces a line for every variable.)
 */
export const describeKafkaSinkSettings = (s: KafkaSinkSettings): string[] => {
  const shown: Record<KafkaSinkEnvName, string> = {
    KAFKA_BROKER: s.brokers.join(','),
    KAFKA_CLIENT: s.client,
    KAFKA_CLIENT_ID: s.clientId,
    TICK_TOPIC: s.topic,
    KAFKA_TOPIC_PARTITIONS: String(s.topicPartitions),
    KAFKA_REPLICATION_FACTOR: String(s.replicationFactor),
    KAFKA_SASL_MECHANISM: unsetOr(s.sasl?.mechanism),
    KAFKA_SASL_USERNAME: unsetOr(s.sasl?.username),
    KAFKA_SASL_PASSWORD: s.sasl === undefined ? '(unset)' : '****',
    KAFKA_TLS: String(s.tls !== undefined),
    KAFKA_TLS_CA_FILE: unsetOr(s.tls?.caFile),
    KAFKA_TLS_CERT_FILE: unsetOr(s.tls?.certFile),
    KAFKA_TLS_KEY_FILE: unsetOr(s.tls?.keyFile),
    KAFKA_CONNECTION_TIMEOUT_MS: String(s.connectionTimeoutMs),
    KAFKA_REQUEST_TIMEOUT_MS: String(s.requestTimeoutMs),
    KAFKA_STARTUP_TIMEOUT_MS: String(s.startupTimeoutMs),
    KAFKA_REQUIRED_AT_START: String(s.requiredAtStart),
    KAFKA_BATCH_MAX_TICKS: String(s.batchMaxTicks),
    KAFKA_BATCH_MAX_MS: String(s.batchMaxMs),
    SINK_MEMORY_MAX_TICKS: String(s.memoryMaxTicks),
    SINK_SPILL_AFTER_MS: String(s.spillAfterMs),
    SINK_JOURNAL_DIR: s.journal.dir,
    SINK_JOURNAL_SEGMENT_BYTES: String(s.journal.segmentBytes),
    SINK_JOURNAL_MAX_BYTES: String(s.journal.maxBytes),
    SINK_JOURNAL_FSYNC_MS: String(s.journal.fsyncMs),
    SINK_JOURNAL_FSYNC_BYTES: String(s.journal.fsyncBytes),
    SINK_OVERFLOW_POLICY: s.overflowPolicy,
    SINK_CLOSE_TIMEOUT_MS: String(s.closeTimeoutMs),
  };
  return (Object.keys(KAFKA_SINK_ENV) as KafkaSinkEnvName[]).map((name) => `${name}=${shown[name]}`);
};

/** The settings, or an Error listing every bad variable by name. */
export const kafkaSinkSettingsFromEnv = (
  env: Readonly<Record<string, string | undefined>>,
): KafkaSinkSettings => {
  const decoded = decodeKafkaSinkSettings(env);
  if (E.isLeft(decoded)) throw new Error(decoded.left.map((e) => e.message).join('; '));
  return decoded.right;
};
