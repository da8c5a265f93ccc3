import { logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../ports/logger/logger.ts';
import { kafkaLogCreator } from './kafka-log-bridge.ts';
import { readTlsOptions, warnOnClearPassword } from './kafka-tls-files.ts';
import type { KafkaSinkSettings, SaslSettings } from './kafka-settings.ts';

/** Retries inside kafkajs stay short: the sink does its own retrying, and spills while it does. */
export const CLIENT_RETRY = { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } as const;

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
  warnOnClearPassword(settings, logger);
  return {
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    connectionTimeout: settings.connectionTimeoutMs,
    authenticationTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retry: CLIENT_RETRY,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    ...(settings.tls === undefined ? {} : { ssl: await readTlsOptions(settings.tls) }),
    ...(settings.sasl === undefined ? {} : { sasl: saslOptions(settings.sasl) }),
  };
};
