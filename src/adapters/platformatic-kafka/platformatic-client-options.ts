import { readFile } from 'node:fs/promises';
import { SASLMechanisms, type BaseOptions, type SASLOptions } from '@platformatic/kafka';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { Logger } from '../../ports/logger.ts';
import type {
  KafkaSinkEnvName,
  KafkaSinkSettings,
  SaslSettings,
  TlsSettings,
} from '../kafka/kafka-settings.ts';

/** Retries inside the client stay short, as with kafkajs: the sink does its own retrying and spills meanwhile. */
export const CLIENT_RETRIES = 2;
export const CLIENT_RETRY_DELAY_MS = 200;

const readPem = async (setting: KafkaSinkEnvName, file: string | undefined): Promise<Buffer | undefined> => {
  if (file === undefined) return undefined;
  try {
    return await readFile(file);
  } catch (e) {
    throw new Error(`${setting}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
};

const tlsOptions = async (tls: TlsSettings): Promise<TlsOptions> => {
  const [ca, cert, key] = await Promise.all([
    readPem('KAFKA_TLS_CA_FILE', tls.caFile),
    readPem('KAFKA_TLS_CERT_FILE', tls.certFile),
    readPem('KAFKA_TLS_KEY_FILE', tls.keyFile),
  ]);
  return {
    rejectUnauthorized: true,
    ...(ca === undefined ? {} : { ca: [ca] }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
  };
};

const MECHANISMS = {
  plain: SASLMechanisms.PLAIN,
  'scram-sha-256': SASLMechanisms.SCRAM_SHA_256,
  'scram-sha-512': SASLMechanisms.SCRAM_SHA_512,
} as const;

const saslOptions = ({ mechanism, username, password }: SaslSettings): SASLOptions => ({
  mechanism: MECHANISMS[mechanism],
  username,
  password,
});

/**
 * The @platformatic/kafka client options for the same settings the kafkajs sink reads
 * (KAFKA_BROKER, KAFKA_CLIENT_ID, timeouts, SASL, TLS), so either client runs from one configuration.
 */
export const platformaticClientOptions = async (
  settings: KafkaSinkSettings,
  logger: Logger,
): Promise<BaseOptions> => {
  if (settings.sasl?.mechanism === 'plain' && settings.tls === undefined)
    logger.warn('KAFKA_SASL_MECHANISM is plain without KAFKA_TLS: the password crosses the network in clear');
  return {
    clientId: settings.clientId,
    bootstrapBrokers: [...settings.brokers],
    connectTimeout: settings.connectionTimeoutMs,
    timeout: settings.requestTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retries: CLIENT_RETRIES,
    retryDelay: CLIENT_RETRY_DELAY_MS,
    ...(settings.tls === undefined ? {} : { tls: await tlsOptions(settings.tls) }),
    ...(settings.sasl === undefined ? {} : { sasl: saslOptions(settings.sasl) }),
  };
};
