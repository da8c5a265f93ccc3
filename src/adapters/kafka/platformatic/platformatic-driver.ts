import type { Logger } from '../../../ports/logger/logger.ts';
import type { KafkaDriver } from '../kafka-driver.ts';
import type { KafkaSinkSettings } from '../kafka-settings.ts';
import { platformaticClientOptions } from './platformatic-client-options.ts';
import { PLATFORMATIC_ERRORS } from './platformatic-errors.ts';
import { PlatformaticProducer } from './platformatic-producer.ts';
import { PlatformaticTopicAdmin } from './platformatic-topic-admin.ts';

/** The sink's log lines say which client sent the ticks. */
export const PLATFORMATIC_LOG_FIELDS: Readonly<Record<string, string>> = { client: 'platformatic' };

/** The @platformatic/kafka driver (KAFKA_CLIENT=platformatic) for these settings. */
export const openPlatformaticDriver = async (
  settings: KafkaSinkSettings,
  logger: Logger,
): Promise<KafkaDriver> => {
  const options = await platformaticClientOptions(settings, logger);
  return {
    ...PLATFORMATIC_ERRORS,
    logFields: PLATFORMATIC_LOG_FIELDS,
    producer: (topic) => new PlatformaticProducer(options, topic),
    admin: () => new PlatformaticTopicAdmin(options),
  };
};
