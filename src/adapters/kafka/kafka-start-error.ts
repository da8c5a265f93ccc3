import type { KafkaDriver } from './kafka-driver.ts';
import type { KafkaSinkEnvName, KafkaSinkSettings } from './kafka-settings.ts';

export type KafkaStartFailure =
  'BrokerUnreachable' | 'AuthenticationFailed' | 'TlsFailed' | 'TopicNotCreated' | 'TopicNotDescribable';

/** Why the sink could not start, naming the setting to look at first. */
export class KafkaSinkStartError extends Error {
  readonly kind: KafkaStartFailure;
  readonly setting: KafkaSinkEnvName;
  constructor(kind: KafkaStartFailure, setting: KafkaSinkEnvName, message: string, cause?: unknown) {
    super(`${setting}: ${message}`, { cause });
    this.name = 'KafkaSinkStartError';
    this.kind = kind;
    this.setting = setting;
  }
}

/** What a client error says, gathered through its `cause` chain and aggregated `errors`. */
export interface KafkaErrorFacts {
  /** Error class names (`KafkaJSSASLAuthenticationError`). */
  readonly names: ReadonlySet<string>;
  /**
   * Kafka protocol error types or ids (`ILLEGAL_SASL_STATE`), client codes (`PLT_KFK_NETWORK`) and
   * Node error codes (`ENOTFOUND`): whatever the client puts under the keys it was asked to read.
   */
  readonly codes: ReadonlySet<string>;
  readonly message: string;
}

const field = (o: object, key: string): unknown =>
  key in o ? (o as Record<string, unknown>)[key] : undefined;

/** The facts of an error from either Kafka client; `codeKeys` are where that client keeps its codes. */
export const gatherErrorFacts = (error: unknown, codeKeys: readonly string[]): KafkaErrorFacts => {
  const names = new Set<string>();
  const codes = new Set<string>();
  const messages: string[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (depth > 8 || typeof e !== 'object' || e === null) return;
    const name = field(e, 'name');
    if (typeof name === 'string') names.add(name);
    for (const key of codeKeys) {
      const v = field(e, key);
      if (typeof v === 'string') codes.add(v);
    }
    const message = field(e, 'message');
    if (typeof message === 'string' && message !== '' && !messages.includes(message)) messages.push(message);
    visit(field(e, 'cause'), depth + 1);
    const nested = field(e, 'errors');
    if (Array.isArray(nested)) for (const n of nested as unknown[]) visit(n, depth + 1);
  };
  visit(error, 0);
  return { names, codes, message: messages.join(': ') || String(error) };
};

const SASL_REFUSED = new Set(['ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);
const TLS_PROBLEM = /SSL|TLS|CERT|EPROTO|ECONNRESET/;

/**
 * Turns a failure to reach the cluster at start into an error that names the setting at fault.
 * `saslFailed` says, in the client's own words, that the credentials were refused.
 */
export const classifyStartFailure = (
  error: unknown,
  settings: KafkaSinkSettings,
  facts: KafkaErrorFacts,
  saslFailed: (facts: KafkaErrorFacts) => boolean,
): KafkaSinkStartError => {
  if (error instanceof KafkaSinkStartError) return error;
  const where = settings.brokers.join(',');
  const { codes, message } = facts;
  if (settings.sasl !== undefined) {
    if ([...codes].some((c) => SASL_REFUSED.has(c)))
      return new KafkaSinkStartError(
        'AuthenticationFailed',
        'KAFKA_SASL_MECHANISM',
        `the broker at ${where} refused SASL ${settings.sasl.mechanism} (is this listener PLAINTEXT or SSL, ` +
          `without SASL?): ${message}`,
        error,
      );
    if (saslFailed(facts))
      return new KafkaSinkStartError(
        'AuthenticationFailed',
        'KAFKA_SASL_USERNAME',
        `SASL ${settings.sasl.mechanism} authentication as "${settings.sasl.username}" failed at ${where} ` +
          `(check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD): ${message}`,
        error,
      );
  }
  if (settings.tls !== undefined && [...codes].some((c) => TLS_PROBLEM.test(c)))
    return new KafkaSinkStartError(
      'TlsFailed',
      'KAFKA_TLS',
      `TLS with the broker at ${where} failed (check KAFKA_TLS_CA_FILE and the client certificate): ${message}`,
      error,
    );
  return new KafkaSinkStartError(
    'BrokerUnreachable',
    'KAFKA_BROKER',
    `no Kafka broker reachable at ${where} within ${settings.startupTimeoutMs} ms` +
      ` (KAFKA_STARTUP_TIMEOUT_MS): ${message}`,
    error,
  );
};

/** A start failure of the driver's client, read in that client's words. */
export const driverStartFailure =
  (driver: KafkaDriver) =>
  (error: unknown, settings: KafkaSinkSettings): KafkaSinkStartError =>
    classifyStartFailure(error, settings, driver.errorFacts(error), (f) => driver.credentialsRefused(f));

const CREATE_REFUSALS: Readonly<Record<string, 'KAFKA_TOPIC_PARTITIONS' | 'KAFKA_REPLICATION_FACTOR'>> = {
  INVALID_PARTITIONS: 'KAFKA_TOPIC_PARTITIONS',
  INVALID_REPLICATION_FACTOR: 'KAFKA_REPLICATION_FACTOR',
};

/** The refusals that retrying cannot fix; anything else may be the cluster still starting. */
export const isPermanentRefusal = (codes: ReadonlySet<string>): boolean =>
  [...codes].some(
    (c) => c in CREATE_REFUSALS || c.endsWith('AUTHORIZATION_FAILED') || c === 'INVALID_TOPIC_EXCEPTION',
  );

/**
 * A topic creation the cluster refused for good (bad partition count or replication factor, no
 * authorisation, an invalid name), as the start error naming the setting; undefined for anything
 * else, which may be the cluster still starting and is worth retrying.
 */
export const topicCreateRefusal = (
  topic: string,
  facts: KafkaErrorFacts,
  cause: unknown,
): KafkaSinkStartError | undefined => {
  if (!isPermanentRefusal(facts.codes)) return undefined;
  const codes = [...facts.codes];
  const setting = codes.map((c) => CREATE_REFUSALS[c]).find((s) => s !== undefined) ?? 'TICK_TOPIC';
  return new KafkaSinkStartError(
    'TopicNotCreated',
    setting,
    `cannot create topic "${topic}": ${facts.message}`,
    cause,
  );
};
