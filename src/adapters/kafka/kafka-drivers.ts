import type { Logger } from '../../ports/logger/logger.ts';
import type { KafkaDriver } from './kafka-driver.ts';
import { KAFKAJS_LOG_FIELDS, openKafkajsDriver } from './kafkajs/kafkajs-driver.ts';
import type { KafkaClientKind, KafkaSinkSettings } from './kafka-settings.ts';
import { openPlatformaticDriver, PLATFORMATIC_LOG_FIELDS } from './platformatic/platformatic-driver.ts';

/** A client library as the sink meets it: the fields its log lines carry, and how to open its driver. */
export interface KafkaClientEntry {
  readonly logFields: Readonly<Record<string, string>>;
  readonly open: (settings: KafkaSinkSettings, logger: Logger) => Promise<KafkaDriver>;
}

/** Every client KAFKA_CLIENT can name. */
export const KAFKA_CLIENT_ENTRIES: Readonly<Record<KafkaClientKind, KafkaClientEntry>> = {
  kafkajs: { logFields: KAFKAJS_LOG_FIELDS, open: openKafkajsDriver },
  platformatic: { logFields: PLATFORMATIC_LOG_FIELDS, open: openPlatformaticDriver },
};
