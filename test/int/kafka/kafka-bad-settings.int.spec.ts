import { either as E } from 'fp-ts';
import { describe, expect, inject, it } from 'vitest';
import { decodeKafkaSinkSettings } from '../../../src/adapters/kafka/kafka-settings.ts';
import { KafkaSinkStartError } from '../../../src/adapters/kafka/kafka-start-error.ts';
import { removeDir, startTestSink, tempDir } from './kafka-test-sink.ts';

/** Starts a sink that must fail, and returns the error it failed with. */
const startFailure = async (broker: string, env: Readonly<Record<string, string>>): Promise<unknown> => {
  const dir = tempDir('kafka-bad-');
  try {
    const started = await startTestSink(broker, 'never-created', dir, {
      KAFKA_STARTUP_TIMEOUT_MS: '3000',
      ...env,
    });
    await started.sink.close();
    return undefined;
  } catch (e) {
    return e;
  } finally {
    removeDir(dir);
  }
};

describe('Kafka sink start with bad settings', () => {
  it('fails naming KAFKA_BROKER when the broker host does not exist, within the startup timeout', async () => {
    const error = await startFailure('no-such-broker.invalid:9092', {});
    expect(error).toBeInstanceOf(KafkaSinkStartError);
    expect(error).toMatchObject({ kind: 'BrokerUnreachable', setting: 'KAFKA_BROKER' });
    expect((error as Error).message).toMatch(
      /^KAFKA_BROKER: no Kafka broker reachable at no-such-broker\.invalid:9092/,
    );
  });

  it('fails naming KAFKA_BROKER when nothing listens on the port', async () => {
    const error = await startFailure('127.0.0.1:1', {});
    expect(error).toMatchObject({ kind: 'BrokerUnreachable', setting: 'KAFKA_BROKER' });
  });

  it('fails naming KAFKA_SASL_MECHANISM when SASL meets a PLAINTEXT listener, without waiting out the timeout', async () => {
    const error = await startFailure(inject('kafkaBroker'), {
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'tickflow',
      KAFKA_SASL_PASSWORD: 'secret-password',
      KAFKA_STARTUP_TIMEOUT_MS: '600000',
    });
    expect(error).toMatchObject({ kind: 'AuthenticationFailed', setting: 'KAFKA_SASL_MECHANISM' });
    expect((error as Error).message).toMatch(
      /^KAFKA_SASL_MECHANISM: the broker at .* refused SASL scram-sha-256/,
    );
    expect((error as Error).message).not.toContain('secret-password');
  });

  it('refuses an unknown SASL mechanism, naming the variable', () => {
    const decoded = decodeKafkaSinkSettings({
      KAFKA_SASL_MECHANISM: 'gssapi',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    expect(decoded).toEqual(
      E.left([
        {
          setting: 'KAFKA_SASL_MECHANISM',
          message: 'KAFKA_SASL_MECHANISM: expected one of plain|scram-sha-256|scram-sha-512 (got "gssapi")',
        },
      ]),
    );
  });

  it('fails naming KAFKA_TLS_CA_FILE when the CA file cannot be read', async () => {
    const error = await startFailure(inject('kafkaBroker'), {
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: '/nonexistent/ca.pem',
    });
    expect((error as Error).message).toMatch(/^KAFKA_TLS_CA_FILE: cannot read \/nonexistent\/ca\.pem/);
  });
});
