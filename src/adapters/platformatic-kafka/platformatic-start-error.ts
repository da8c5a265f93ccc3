import type { KafkaSinkSettings } from '../kafka/kafka-settings.ts';
import { KafkaSinkStartError } from '../kafka/kafka-start-error.ts';

/** What a @platformatic/kafka error says, gathered through its `cause` chain and aggregated `errors`. */
export interface PlatformaticErrorFacts {
  /** Client codes (`PLT_KFK_NETWORK`), Kafka protocol ids (`SASL_AUTHENTICATION_FAILED`), Node codes (`ECONNREFUSED`). */
  readonly codes: ReadonlySet<string>;
  readonly message: string;
}

const field = (o: object, key: string): unknown =>
  key in o ? (o as Record<string, unknown>)[key] : undefined;

export const platformaticErrorFacts = (error: unknown): PlatformaticErrorFacts => {
  const codes = new Set<string>();
  const messages: string[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (depth > 8 || typeof e !== 'object' || e === null) return;
    for (const key of ['code', 'apiId'] as const) {
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
  return { codes, message: messages.join(': ') || String(error) };
};

const SASL_REFUSED = new Set(['ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);
const SASL_FAILED = new Set(['SASL_AUTHENTICATION_FAILED', 'PLT_KFK_AUTHENTICATION']);
const TLS_PROBLEM = /SSL|TLS|CERT|EPROTO|ECONNRESET/;

/** Turns a failure to reach the cluster at start into an error that names the setting at fault. */
export const platformaticStartFailure = (
  error: unknown,
  settings: KafkaSinkSettings,
): KafkaSinkStartError => {
  if (error instanceof KafkaSinkStartError) return error;
  const { codes, message } = platformaticErrorFacts(error);
  const where = settings.brokers.join(',');
  const has = (set: ReadonlySet<string>): boolean => [...codes].some((c) => set.has(c));
  if (settings.sasl !== undefined) {
    if (has(SASL_REFUSED))
      return new KafkaSinkStartError(
        'AuthenticationFailed',
        'KAFKA_SASL_MECHANISM',
        `the broker at ${where} refused SASL ${settings.sasl.mechanism} (is this listener PLAINTEXT or SSL, ` +
          `without SASL?): ${message}`,
        error,
      );
    if (has(SASL_FAILED))
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
