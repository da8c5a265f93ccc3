import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { isMstockError } from './mstock-errors.ts';
import type { FeedSocket } from './feed-socket.ts';
import type { FeedSettings } from './mstock-settings.ts';
import type { SessionManager } from './session-manager.ts';

/** Reasons the watchdog gives when it replaces a socket. */
export const SILENT_SOCKET = 'silent socket: no frame while the market is open';
/** The reason given when the consumer asks to replace a socket that sends frames but no tick. */
export const QUIET_SOCKET = 'quiet socket: heartbeats but no tick while the market is open';
export const SESSION_RENEWAL = 'session renewal before expiry';

/** After a failed renewal that may succeed later, wait this long before the next try. */
const RENEWAL_RETRY_MS = 30_000;

/**
 * Watches one connection. It replaces a socket that has said nothing for `staleAfterMs` while the
 * market is open (a frame of any kind counts, and a socket paused for a slow consumer is not
 * silent). And when the session nears expiry, it logs in again first and only then closes the
 * socket, so the reconnect uses the new token at once and the gap is as short as a reconnect. A
 * socket opened with `accessToken` is also moved when another socket's watchdog renewed the
 * shared session first (its renewal time passed and the session holds another token).
 * Returns the function that stops it.
 */
export const startFeedWatchdog = (
  socket: FeedSocket,
  deps: {
    readonly settings: FeedSettings;
    readonly clock: Clock;
    readonly session: SessionManager;
    readonly logger: Logger;
  },
  accessToken?: string,
): (() => void) => {
  const { settings, clock, session, logger } = deps;
  let renewal: 'idle' | 'running' | 'given-up' = 'idle';
  let nextRenewalAt = 0;
  // When this socket's own login was due for renewal: past it, a newer login means another renewed it.
  const ownRenewAt = accessToken === undefined ? undefined : session.renewAt();
  const renew = (): void => {
    renewal = 'running';
    session.accessToken().then(
      () => {
        renewal = 'idle';
        socket.close(SESSION_RENEWAL);
      },
      (e: unknown) => {
        // The old token still works until it expires; retry only what may pass (never a wrong
        // password twice: that can lock the account). At expiry the reconnect reports the error.
        const retryable = isMstockError(e) && e.retryable;
        renewal = retryable ? 'idle' : 'given-up';
        nextRenewalAt = clock.now() + RENEWAL_RETRY_MS;
        logger.warn('Could not renew the m.Stock session ahead of expiry', {
          error: isMstockError(e) ? e.kind : 'Error',
          retrying: retryable,
        });
      },
    );
  };
  const period = Math.max(10, Math.min(1000, settings.staleAfterMs / 4));
  const timer = setInterval(() => {
    const now = clock.now();
    const renewAt = session.renewAt();
    if (renewal === 'idle' && renewAt !== undefined && now >= renewAt && now >= nextRenewalAt) renew();
    else if (renewal === 'idle' && ownRenewAt !== undefined && now >= ownRenewAt) {
      const current = session.current()?.accessToken;
      if (current !== undefined && current !== accessToken) socket.close(SESSION_RENEWAL);
    }
    if (socket.idle && now - socket.lastFrameAt >= settings.staleAfterMs && settings.isMarketOpen(now)) {
      socket.close(SILENT_SOCKET);
    }
  }, period);
  timer.unref();
  return () => clearInterval(timer);
};
