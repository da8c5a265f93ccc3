import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import {
  decodeKafkaSinkSettings,
  KAFKA_SINK_ENV,
  kafkaSinkSettingsFromEnv,
  type KafkaSinkSettings,
} from '../../../src/adapters/kafka/kafka-settings.ts';

const decode = (env: Record<string, string>): E.Either<readonly string[], KafkaSinkSettings> =>
  E.mapLeft((errors: readonly { message: string }[]) => errors.map((e) => e.message))(
    decodeKafkaSinkSettings(env),
  );

describe('Kafka sink settings', () => {
  it('has a default for every variable, and the defaults decode', () => {
    const settings = kafkaSinkSettingsFromEnv({});
    expect(settings).toMatchObject({
      brokers: ['localhost:9092'],
      topic: 'market_ticks',
      topicPartitions: 6,
      replicationFactor: 1,
      sasl: undefined,
      tls: undefined,
      batchMaxTicks: 500,
      batchMaxMs: 5,
      overflowPolicy: 'block',
      journal: { dir: '.tickflow/tick-journal', maxBytes: 1073741824 },
    });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('treats an empty value as unset', () => {
    expect(kafkaSinkSettingsFromEnv({ TICK_TOPIC: '', KAFKA_BATCH_MAX_TICKS: ' ' })).toMatchObject({
      topic: KAFKA_SINK_ENV.TICK_TOPIC.default,
      batchMaxTicks: 500,
    });
  });

  it('reads a broker list, SASL and TLS', () => {
    expect(
      kafkaSinkSettingsFromEnv({
        KAFKA_BROKER: 'k1.example.com:9093, k2.example.com:9093,[::1]:9092',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'tickflow',
        KAFKA_SASL_PASSWORD: 'pw',
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: '/etc/kafka/ca.pem',
      }),
    ).toMatchObject({
      brokers: ['k1.example.com:9093', 'k2.example.com:9093', '[::1]:9092'],
      sasl: { mechanism: 'scram-sha-512', username: 'tickflow', password: 'pw' },
      tls: { caFile: '/etc/kafka/ca.pem', certFile: undefined, keyFile: undefined },
    });
  });

  it('names every bad variable, with what it expected', () => {
    expect(
      decode({
        KAFKA_BROKER: 'localhost',
        KAFKA_BATCH_MAX_TICKS: '0',
        SINK_OVERFLOW_POLICY: 'drop-oldest',
        KAFKA_TLS: 'yes',
        TICK_TOPIC: 'market ticks',
      }),
    ).toEqual(
      E.left([
        'KAFKA_TLS: expected true or false (got "yes")',
        'KAFKA_BROKER: expected host:port[,host:port...] (got "localhost")',
        'TICK_TOPIC: expected a topic name of 1 to 249 characters from [A-Za-z0-9._-] (got "market ticks")',
        'KAFKA_BATCH_MAX_TICKS: expected an integer from 1 to 100000 (got "0")',
        'SINK_OVERFLOW_POLICY: expected one of block|drop-newest|fail (got "drop-oldest")',
      ]),
    );
  });

  it('asks for the SASL user and password with a mechanism, without echoing the password', () => {
    expect(decode({ KAFKA_SASL_MECHANISM: 'plain' })).toEqual(
      E.left([
        'KAFKA_SASL_USERNAME: expected a non-empty value (got "")',
        'KAFKA_SASL_PASSWORD: expected a non-empty value',
      ]),
    );
    expect(decode({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toEqual(
      E.left([
        'KAFKA_SASL_MECHANISM: expected one of plain|scram-sha-256|scram-sha-512 when a SASL user is set',
      ]),
    );
  });

  it('refuses TLS files while TLS is off, and a client certificate without its key', () => {
    expect(decode({ KAFKA_TLS_CA_FILE: '/ca.pem' })).toEqual(
      E.left(['KAFKA_TLS_CA_FILE: set, but KAFKA_TLS is false']),
    );
    expect(decode({ KAFKA_TLS: 'true', KAFKA_TLS_CERT_FILE: '/c.pem' })).toEqual(
      E.left(['KAFKA_TLS_KEY_FILE: client certificate and key go together']),
    );
  });

  it('throws one Error naming every bad variable', () => {
    expect(() =>
      kafkaSinkSettingsFromEnv({ KAFKA_SASL_MECHANISM: 'md5', SINK_JOURNAL_FSYNC_MS: '-1' }),
    ).toThrow(
      /^KAFKA_SASL_MECHANISM: expected one of plain\|scram-sha-256\|scram-sha-512 \(got "md5"\); SINK_JOURNAL_FSYNC_MS: /,
    );
  });

  it('starts without waiting for Kafka unless KAFKA_REQUIRED_AT_START is true', () => {
    expect(kafkaSinkSettingsFromEnv({}).requiredAtStart).toBe(false);
    expect(kafkaSinkSettingsFromEnv({ KAFKA_REQUIRED_AT_START: 'true' }).requiredAtStart).toBe(true);
    expect(decode({ KAFKA_REQUIRED_AT_START: 'yes' })).toEqual(
      E.left(['KAFKA_REQUIRED_AT_START: expected true or false (got "yes")']),
    );
  });
});
