import { logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../../ports/logger/logger.ts';
import { kafkaLogCreator } from './kafka-log-bridge.ts';
import { clientSecurity } from '../kafka-tls-files.ts';
import type { KafkaSinkSettings, SaslSettings } from '../kafka-settings.ts';

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
  const { tls, sasl } = await clientSecurity(settings, logger);
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    retry: CLIENT_RETRY,
  };
  // kafkajs times a SASL handshake apart from the connection: both get KAFKA_CONNECTION_TIMEOUT_MS.
  config.connectionTimeout = settings.connectionTimeoutMs;
  config.authenticationTimeout = settings.connectionTimeoutMs;
  config.requestTimeout = settings.requestTimeoutMs;
  if (tls !== undefined) config.ssl = tls;
  if (sasl !== undefined) config.sasl = saslOptions(sasl);
  return config;
};
