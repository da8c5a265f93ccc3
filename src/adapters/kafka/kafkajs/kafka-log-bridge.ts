import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../../../ports/logger/logger.ts';

/**
 * Routes kafkajs's own log lines to tickflow's logger at debug level. During an outage kafkajs logs
 * every failed connection attempt as an error; the sink reports the outage itself, once, at warn.
 */
export const kafkaLogCreator =
  (logger: Logger): logCreator =>
  () =>
  ({ namespace, level, log }) => {
    if (!logger.isEnabled('debug')) return;
    const broker: unknown = log['broker'];
    const error: unknown = log['error'];
    logger.debug(`kafkajs ${namespace}: ${log.message}`, {
      kafkaLevel: logLevel[level],
      broker: typeof broker === 'string' ? broker : undefined,
      error: typeof error === 'string' ? error : undefined,
    });
  };
