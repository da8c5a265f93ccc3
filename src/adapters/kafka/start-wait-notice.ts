import type { Logger } from '../../ports/logger/logger.ts';

/** How often a start still waiting for the broker says so. */
export const WAIT_NOTICE_EVERY_MS = 5000;

/**
 * Says what a start waits for, so that an unreachable broker is not a silent half minute:
 * "Waiting for Kafka at <brokers> (up to N s)" at once, and a line every few seconds until the
 * returned function is called (when the broker answered or the start gave up).
 */
export const startWaitNotice = (
  logger: Logger,
  brokers: readonly string[],
  timeoutMs: number,
  everyMs: number = WAIT_NOTICE_EVERY_MS,
): (() => void) => {
  const where = brokers.join(',');
  const started = Date.now();
  logger.info(`Waiting for Kafka at ${where} (up to ${Math.ceil(timeoutMs / 1000)} s)…`);
  const timer = setInterval(() => {
    const waited = Math.round((Date.now() - started) / 1000);
    const left = Math.max(0, Math.ceil((timeoutMs - (Date.now() - started)) / 1000));
    logger.info(
      `Still waiting for Kafka at ${where} (${waited} s so far, ${left} s left; KAFKA_STARTUP_TIMEOUT_MS)`,
    );
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
};
