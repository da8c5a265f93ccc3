import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../../ports/logger/logger.ts';
import type { KafkaSinkEnvName, KafkaSinkSettings, SaslSettings, TlsSettings } from './kafka-settings.ts';

const readPem = async (setting: KafkaSinkEnvName, file: string | undefined): Promise<Buffer | undefined> => {
  if (file === undefined) return undefined;
  try {
    return await readFile(file);
  } catch (e) {
    throw new Error(`${setting}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
};

/** The TLS options of either Kafka client, the PEM files read and any unreadable one named by its setting. */
export const readTlsOptions = async (tls: TlsSettings): Promise<ConnectionOptions> => {
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

/** Says so when SASL PLAIN would send the password without TLS. */
export const warnOnClearPassword = (settings: KafkaSinkSettings, logger: Logger): void => {
  if (settings.sasl?.mechanism === 'plain' && settings.tls === undefined)
    logger.warn('KAFKA_SASL_MECHANISM is plain without KAFKA_TLS: the password crosses the network in clear');
};

/** TLS and SASL as both clients take them, read and checked once. */
export interface ClientSecurity {
  readonly tls: ConnectionOptions | undefined;
  readonly sasl: SaslSettings | undefined;
}

/** The security settings of either client: the TLS files read, a clear-text password said aloud. */
export const clientSecurity = async (
  settings: KafkaSinkSettings,
  logger: Logger,
): Promise<ClientSecurity> => {
  warnOnClearPassword(settings, logger);
  return {
    tls: settings.tls === undefined ? undefined : await readTlsOptions(settings.tls),
    sasl: settings.sasl,
  };
};
