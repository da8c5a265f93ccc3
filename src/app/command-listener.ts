import type { Logger } from '../ports/logger/logger.ts';

/**
 * Starts something the feed must not wait for (the backfill coordinator, which opens its event log
 * and reads the instruments): a failed start is logged and tried again every `retryMs` until it
 * works or `stop` is called.
 */
export const startInBackground = <T>(
  what: string,
  start: () => Promise<T>,
  logger: Logger,
  retryMs: number,
): { current(): T | undefined; stop(stopIt: (t: T) => Promise<void>): Promise<void> } => {
  let started: T | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> = Promise.resolve();
  const tryStart = (): void => {
    attempt = start().then(
      (t) => {
        started = t;
        if (stopped) return;
        logger.info(`${what} started`);
      },
      (e: unknown) => {
        if (stopped) return;
        logger.warn(`${what} could not start; retrying`, {
          error: e instanceof Error ? e.message : String(e),
          retryMs,
        });
        timer = setTimeout(tryStart, retryMs);
      },
    );
  };
  tryStart();
  return {
    current: () => started,
    stop: async (stopIt) => {
      stopped = true;
      clearTimeout(timer);
      await attempt;
      if (started !== undefined) await stopIt(started);
    },
  };
};
