import type { KafkaSinkStartError } from './kafka-start-error.ts';
import type { KafkaSinkSettings } from './kafka-settings.ts';

const RETRY_PAUSE_MS = 500;

class StartTimedOut extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'StartTimedOut';
  }
}

/**
 * Runs `attempt` until it succeeds, retrying while the broker is unreachable, until `deadline`.
 * `classify` turns a client's error into a start failure naming the setting at fault; a refusal
 * that retrying cannot fix (authentication, TLS, a bad topic setting) fails at once. An attempt
 * still running at the deadline is abandoned, and `cleanup` runs when it settles.
 */
export const retryUntilDeadline = async (
  settings: KafkaSinkSettings,
  deadline: number,
  classify: (error: unknown, settings: KafkaSinkSettings) => KafkaSinkStartError,
  attempt: () => Promise<void>,
  cleanup: () => Promise<void>,
): Promise<void> => {
  for (;;) {
    const running = attempt();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        running,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new StartTimedOut(settings.startupTimeoutMs)),
            Math.max(0, deadline - Date.now()),
          );
        }),
      ]);
      return;
    } catch (e) {
      if (e instanceof StartTimedOut) running.then(cleanup, cleanup).catch(() => undefined);
      const failure = classify(e, settings);
      if (failure.kind !== 'BrokerUnreachable' || Date.now() + RETRY_PAUSE_MS >= deadline) throw failure;
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    } finally {
      clearTimeout(timer);
    }
  }
};
