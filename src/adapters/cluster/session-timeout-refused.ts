import { KAFKAJS_ERRORS } from '../kafka/kafkajs/kafkajs-errors.ts';
import { ClusterRefused } from './cluster-settings.ts';

/**
 * The broker's answer to a JoinGroup whose session timeout lies outside its
 * group.min.session.timeout.ms .. group.max.session.timeout.ms (Kafka protocol error 26).
 * Retrying cannot help, so it stops the start naming the setting; undefined for any other error.
 */
export const sessionTimeoutRefused = (
  error: unknown,
  sessionTimeoutMs: number,
): ClusterRefused | undefined =>
  KAFKAJS_ERRORS.errorFacts(error).codes.has('INVALID_SESSION_TIMEOUT')
    ? new ClusterRefused(
        `CLUSTER_SESSION_TIMEOUT_MS: the broker refuses a session timeout of ${sessionTimeoutMs} ms; ` +
          'choose one within its group.min.session.timeout.ms and group.max.session.timeout.ms',
      )
    : undefined;
