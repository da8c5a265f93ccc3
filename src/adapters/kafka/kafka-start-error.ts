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

/** What kafkajs errors say, gathered through their `cause` chains and aggregated `errors`. */
export interface KafkaErrorFacts {
  readonly names: ReadonlySet<string>;
  /** Kafka protocol error types (`ILLEGAL_SASL_STATE`) and Node error codes (`ENOTFOUND`). */
  readonly types: ReadonlySet<string>;
  readonly message: string;
}

const field = (o: object, key: string): unknown =>
  key in o ? (o as Record<string, unknown>)[key] : undefined;

export const kafkaErrorFacts = (error: unknown): KafkaErrorFacts => {
  const names = new Set<string>();
  const types = new Set<string>();
  const messages: string[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (depth > 8 || typeof e !== 'object' || e === null) return;
    for (const key of ['name'] as const) {
      const v = field(e, key);
      if (typeof v === 'string') names.add(v);
    }
    for (const key of ['type', 'code'] as const) {
      const v = field(e, key);
      if (typeof v === 'string') types.add(v);
    }
    const message = field(e, 'message');
    if (typeof message === 'string' && message !== '' && !messages.includes(message)) messages.push(message);
    visit(field(e, 'cause'), depth + 1);
    const nested = field(e, 'errors');
    if (Array.isArray(nested)) for (const n of nested as unknown[]) visit(n, depth + 1);
  };
  visit(error, 0);
  return { names, types, message: messages.join(': ') || String(error) };
};

const SASL_REFUSED = new Set(['ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);
const TLS_PROBLEM = /SSL|TLS|CERT|EPROTO|ECONNRESET/;

/** Turns a failure to reach the cluster at start into an error that names the setting at fault. */
export const startFailure = (error: unknown, settings: KafkaSinkSettings): KafkaSinkStartError => {
  if (error instanceof KafkaSinkStartError) return error;
  const facts = kafkaErrorFacts(error);
  const where = settings.brokers.join(',');
  if (settings.sasl !== undefined) {
    if ([...facts.types].some((t) => SASL_REFUSED.has(t)))
      return new KafkaSinkStartError(
        'AuthenticationFailed',
        'KAFKA_SASL_MECHANISM',
        `the broker at ${where} refused SASL ${settings.sasl.mechanism} (is this listener PLAINTEXT or SSL, ` +
          `without SASL?): ${facts.message}`,
        error,
      );
    if (facts.names.has('KafkaJSSASLAuthenticationError') || facts.types.has('SASL_AUTHENTICATION_FAILED'))
      return new KafkaSinkStartError(
        'AuthenticationFailed',
        'KAFKA_SASL_USERNAME',
        `SASL ${settings.sasl.mechanism} authentication as "${settings.sasl.username}" failed at ${where} ` +
          `(check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD): ${facts.message}`,
        error,
      );
  }
  if (settings.tls !== undefined && [...facts.types].some((t) => TLS_PROBLEM.test(t)))
    return new KafkaSinkStartError(
      'TlsFailed',
      'KAFKA_TLS',
      `TLS with the broker at ${where} failed (check KAFKA_TLS_CA_FILE and the client certificate): ${facts.message}`,
      error,
    );
  return new KafkaSinkStartError(
    'BrokerUnreachable',
    'KAFKA_BROKER',
    `no Kafka broker reachable at ${where} within ${settings.startupTimeoutMs} ms` +
      ` (KAFKA_STARTUP_TIMEOUT_MS): ${facts.message}`,
    error,
  );
};
