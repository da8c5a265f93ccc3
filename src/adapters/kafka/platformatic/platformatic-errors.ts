import type { ClientErrors } from '../kafka-driver.ts';
import { gatherErrorFacts, isPermanentRefusal, type KafkaErrorFacts } from '../kafka-start-error.ts';

/** @platformatic/kafka keeps client and Node codes in `code` and Kafka protocol error ids in `apiId`. */
export const platformaticErrorFacts = (error: unknown): KafkaErrorFacts =>
  gatherErrorFacts(error, ['code', 'apiId']);

const SASL_FAILED = new Set(['SASL_AUTHENTICATION_FAILED', 'PLT_KFK_AUTHENTICATION']);

/** @platformatic/kafka's words for refused SASL credentials. */
const platformaticCredentialsRefused = (f: KafkaErrorFacts): boolean =>
  [...f.codes].some((c) => SASL_FAILED.has(c));

/** A describe that failed for another reason than a refusal or an unknown topic may pass next time. */
const platformaticDescribeMayRetry = (f: KafkaErrorFacts): boolean =>
  !isPermanentRefusal(f.codes) && !f.codes.has('UNKNOWN_TOPIC_OR_PARTITION');

export const PLATFORMATIC_ERRORS: ClientErrors = {
  errorFacts: platformaticErrorFacts,
  credentialsRefused: platformaticCredentialsRefused,
  describeMayRetry: platformaticDescribeMayRetry,
};
