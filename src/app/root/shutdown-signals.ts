import type { Logger } from '../../ports/logger/logger.ts';

/**
 * SIGTERM and SIGINT start an orderly stop (`stop` flushes and closes); if it takes longer than
 * `graceMs` the process exits with 1 so an orchestrator's own kill does not surprise anyone, and a
 * second signal exits at once. What the sink had not flushed stays in its journal for next start.
 */
export const handleShutdownSignals = (
  logger: Logger,
  graceMs: number,
  stop: (signal: string) => Promise<void>,
): (() => void) => {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('Second signal: exiting now', { signal });
      process.exit(130);
    }
    stopping = true;
    logger.info('Shutting down', { signal, graceMs });
    const timer = setTimeout(() => {
      logger.error('Shutdown took longer than the grace time; exiting', { graceMs });
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop(signal).then(
      () => {
        clearTimeout(timer);
        logger.info('Stopped');
        process.exitCode = 0;
      },
      (e: unknown) => {
        clearTimeout(timer);
        logger.error('Shutdown failed', { error: e instanceof Error ? e.message : String(e) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
};
