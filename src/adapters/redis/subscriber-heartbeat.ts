import type { Redis } from 'ioredis';

/**
 * PINGs a connection every `intervalMs` while it is ready. A PING still unanswered at the next beat
 * means the connection is dead without having closed (a half-open TCP connection, a silent proxy):
 * ioredis would wait for the kernel's keep-alive, minutes, and a subscriber would miss every
 * command meanwhile. Then `onDead` runs, which is expected to force a reconnect. A dead connection
 * is noticed between one and two intervals after it died.
 */
export const startHeartbeat = (client: Redis, intervalMs: number, onDead: () => void): { stop(): void } => {
  let outstanding = false;
  const timer = setInterval(() => {
    if (client.status !== 'ready') {
      // Reconnecting already: a PING now would only queue.
      outstanding = false;
      return;
    }
    if (outstanding) {
      outstanding = false;
      onDead();
      return;
    }
    outstanding = true;
    client.ping().then(
      () => {
        outstanding = false;
      },
      () => {
        // A broken connection is reported by ioredis itself and reconnects by itself.
        outstanding = false;
      },
    );
  }, intervalMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
    },
  };
};
