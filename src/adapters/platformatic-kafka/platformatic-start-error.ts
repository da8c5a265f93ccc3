import type { KafkaSinkSettings } from '../kafka/kafka-settings.ts';
import {
  classifyStartFailure,
  gatherErrorFacts,
  type KafkaErrorFacts,
  type KafkaSinkStartError,
} from '../kafka/kafka-start-error.ts';

/** @platformatic/kafka keeps client and Node codes in `code` and Kafka protocol error ids in `apiId`. */
export const platformaticErrorFacts = (error: unknown): KafkaErrorFacts =>
  gatherErrorFacts(error, ['code', 'apiId']);

const SASL_FAILED = new Set(['SASL_AUTHENTICATION_FAILED', 'PLT_KFK_AUTHENTICATION']);

/** @platformatic/kafka's start failures, named as the kafkajs sink names them. */
export const platformaticStartFailure = (error: unknown, settings: KafkaSinkSettings): KafkaSinkStartError =>
  classifyStartFailure(error, settings, platformaticErrorFacts(error), (f) =>
    [...f.codes].some((c) => SASL_FAILED.has(c)),
  );
