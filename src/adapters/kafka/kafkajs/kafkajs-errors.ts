import type { ClientErrors } from '../kafka-driver.ts';
import { gatherErrorFacts, type KafkaErrorFacts } from '../kafka-start-error.ts';

/** kafkajs keeps protocol error types in `type` and Node codes in `code`. */
const kafkajsErrorFacts = (error: unknown): KafkaErrorFacts => gatherErrorFacts(error, ['type', 'code']);

/** kafkajs's word for refused SASL credentials. */
const kafkajsCredentialsRefused = (f: KafkaErrorFacts): boolean =>
  f.names.has('KafkaJSSASLAuthenticationError') || f.codes.has('SASL_AUTHENTICATION_FAILED');

/** Answers of a cluster that has not yet spread a new topic's metadata to every broker. */
const METADATA_NOT_YET = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
]);

/** Right after a create, the cluster may not know the topic's leaders yet: worth another try. */
const kafkajsDescribeMayRetry = (f: KafkaErrorFacts): boolean =>
  [...f.codes].some((c) => METADATA_NOT_YET.has(c));

export const KAFKAJS_ERRORS: ClientErrors = {
  errorFacts: kafkajsErrorFacts,
  credentialsRefused: kafkajsCredentialsRefused,
  describeMayRetry: kafkajsDescribeMayRetry,
};
