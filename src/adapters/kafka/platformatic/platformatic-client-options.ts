import { SASLMechanisms, type BaseOptions, type SASLOptions } from '@platformatic/kafka';
import type { Logger } from '../../../ports/logger/logger.ts';
import { clientSecurity } from '../kafka-tls-files.ts';
import type { KafkaSinkSettings, SaslSettings } from '../kafka-settings.ts';

/** Retries inside the client stay short, as with kafkajs: the sink does its own retrying and spills meanwhile. */
export const CLIENT_RETRIES = 2;
export const CLIENT_RETRY_DELAY_MS = 200;

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
  const { tls, sasl } = await clientSecurity(settings, logger);
  return {
    clientId: settings.clientId,
    bootstrapBrokers: [...settings.brokers],
    connectTimeout: settings.connectionTimeoutMs,
    timeout: settings.requestTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retries: CLIENT_RETRIES,
    retryDelay: CLIENT_RETRY_DELAY_MS,
    ...(tls === undefined ? {} : { tls }),
    ...(sasl === undefined ? {} : { sasl: saslOptions(sasl) }),
  };
};
