import type { Redis } from 'ioredis';

/** Redis did not become usable in time; `lastError` is what ioredis last reported (e.g. WRONGPASS). */
export class RedisUnavailable extends Error {
  readonly address: string;
  constructor(address: string, waitedMs: number, lastError: string | undefined) {
    super(
      `Redis at ${address} not ready within ${waitedMs} ms${lastError === undefined ? '' : `: ${lastError}`}`,
    );
    this.name = 'RedisUnavailable';
    this.address = address;
  }
}

/**
 * Resolves once `client` is ready (connected, authenticated), starting the connection when it has
 * none; rejects after `timeoutMs`. ioredis keeps reconnecting in the background either way.
 */
export const whenReady = (
  client: Redis,
  address: string,
  timeoutMs: number,
  lastError: () => string | undefined,
): Promise<void> => {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'wait' || client.status === 'end') {
    // A failed attempt is reported through 'error' and retried by ioredis; the wait below decides.
    client.connect().catch(() => undefined);
  }
  return new Promise((resolve, reject) => {
    const onReady = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new RedisUnavailable(address, timeoutMs, lastError()));
    }, timeoutMs);
    client.on('ready', onReady);
  });
};

/**
 * Closes a client: QUIT when connected, so the server lets go at once, but no longer than
 * `graceMs`, since a connection that went silent never answers; then drops the socket.
 */
export const closeClient = async (client: Redis, graceMs = 2000): Promise<void> => {
  if (client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const quit = client.quit().then(
      () => true,
      () => false,
    );
    const gaveUp = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        resolve(false);
      }, graceMs);
    });
    const quitted = await Promise.race([quit, gaveUp]);
    clearTimeout(timer);
    if (quitted) return;
  }
  client.disconnect();
};
