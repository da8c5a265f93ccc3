import { readFile } from 'node:fs/promises';
import { logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../ports/logger.ts';
import { kafkaLogCreator } from './kafka-log-bridge.ts';
import type { KafkaSinkEnvName, KafkaSinkSettings, SaslSettings, TlsSettings } from './kafka-settings.ts';

/** Retries inside kafkajs stay short: the sink does its own retrying, and spills while it does. */
export const CLIENT_RETRY = { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } as const;

const readPem = async (setting: KafkaSinkEnvName, file: string | undefined): Promise<Buffer | undefined> => {
  if (file === undefined) return undefined;
  try {
    return await readFile(file);
  } catch (e) {
    throw new Error(`${setting}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
};

const tlsOptions = async (tls: TlsSettings): Promise<NonNullable<KafkaConfig['ssl']>> => {
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

const saslOptions = ({ mechanism, username, password }: SaslSettings): SASLOptions => {
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
  }
};

/** The kafkajs client configuration for these settings; reads the TLS files, naming any it cannot. */
export const kafkaClientConfig = async (
  settings: KafkaSinkSettings,
  logger: Logger,
): Promise<KafkaConfig> => {
  if (settings.sasl?.mechanism === 'plain' && settings.tls === undefined)
    logger.warn('KAFKA_SASL_MECHANISM is plain without KAFKA_TLS: the password crosses the network in clear');
  return {
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    connectionTimeout: settings.connectionTimeoutMs,
    authenticationTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retry: CLIENT_RETRY,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    ...(settings.tls === undefined ? {} : { ssl: await tlsOptions(settings.tls) }),
    ...(settings.sasl === undefined ? {} : { sasl: saslOptions(settings.sasl) }),
  };
};
