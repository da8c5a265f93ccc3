import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { FeedMetrics } from './feed-metrics.ts';
import { feedUrl } from './feed-protocol.ts';
import { FeedSocket } from './feed-socket.ts';
import type { LoginGate } from './login-gate.ts';
import { ApiKeyRejected, isMstockError, SessionExpired } from './mstock-errors.ts';
import type { FeedSettings } from './mstock-settings.ts';
import type { SecretMasker } from './secret-masker.ts';
import type { SessionManager } from './session-manager.ts';
import type { SessionTakeoverWatch } from './session-takeover-watch.ts';

/** One socket's tries, since its stream opened it. */
export interface RetryState {
  /** Connection attempts so far (1 = the first). */
  attempt: number;
  /** Failures since the last good connection: the backoff's exponent. */
  failures: number;
  /** Failed connections in a row that may be the token's fault. */
  suspect: number;
  /** The token of the last connection the server ended with a close frame, until one works again. */
  serverClosed: string | undefined;
}

/**
 * Logins in a row with a refused API key before the feed gives up. Each try is a full password
 * login, and a broker may lock an account that keeps failing; more than one only in case the
 * refusal was a gateway's passing fault.
 */
export const API_KEY_TRIES = 3;

/** Login failures that retrying cannot fix (and that could lock the account if repeated). */
const shouldRetry = (e: unknown, logins: LoginGate): boolean => {
  if (!isMstockError(e)) return false;
  if (e instanceof ApiKeyRejected) return logins.keyRefused(e) < API_KEY_TRIES;
  return e.retryable || e.kind === 'SessionExpired' || e.kind === 'UnexpectedResponse';
};

export interface OpenFeedSocketDeps {
  readonly session: SessionManager;
  readonly settings: FeedSettings;
  readonly masker: SecretMasker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly feedMetrics: FeedMetrics;
  readonly takeover: SessionTakeoverWatch;
  readonly logins: LoginGate;
}

/**
 * A logged-in token and an open socket; undefined after a failure worth retrying (counted,
 * logged) or on abort. Throws what retrying cannot fix.
 */
export const openFeedSocket = async (
  deps: OpenFeedSocketDeps,
  state: RetryState,
  signal: AbortSignal,
): Promise<{ readonly socket: FeedSocket; readonly accessToken: string } | undefined> => {
  const { session, settings, clock, logger, masker, feedMetrics } = deps;
  let accessToken: string | undefined;
  try {
    accessToken = await session.accessToken(signal);
    deps.logins.keyAccepted();
    const socket = await FeedSocket.open(
      feedUrl(settings.wsUrl, session.apiKey, accessToken),
      {
        handshakeTimeoutMs: settings.handshakeTimeoutMs,
        highWaterMarkFrames: settings.highWaterMarkFrames,
        clock,
        masker,
        onPause: () => feedMetrics.backpressurePauses.inc(),
      },
      signal,
    );
    return { socket, accessToken };
  } catch (e) {
    if (signal.aborted) return undefined;
    if (!shouldRetry(e, deps.logins)) throw e;
    if (accessToken !== undefined) {
      const refused = isMstockError(e) && e.endpoint === 'websocket' && typeof e.status === 'number';
      if (refused && state.serverClosed === accessToken) sessionEnded(deps, state, accessToken);
      else if (e instanceof SessionExpired) session.invalidate(accessToken);
      else if (refused) suspectToken(deps, state, accessToken);
    }
    state.failures += 1;
    const kind = isMstockError(e) ? e.kind : 'Error';
    feedMetrics.connectFailure(kind);
    logger.warn('MStock WebSocket connection failed', {
      error: kind,
      message: e instanceof Error ? masker.mask(e.message) : 'unknown',
      attempt: state.attempt,
    });
    return undefined;
  }
};

/**
 * A refused handshake, or a connection that ended before its first frame, may mean the broker
 * no longer takes the token (it has answered bad credentials with a bare 502): after
 * `reloginAfterFailedConnections` of them in a row, log in again (once: the session ignores a
 * token it already dropped).
 */
export const suspectToken = (
  deps: Pick<OpenFeedSocketDeps, 'session' | 'settings'>,
  state: RetryState,
  accessToken: string,
): void => {
  state.suspect += 1;
  if (state.suspect >= deps.settings.reloginAfterFailedConnections) {
    deps.session.invalidate(accessToken);
    state.suspect = 0;
  }
};

/**
 * The server closed a socket and then refused its token: the broker ended the session, so log in
 * again; if it keeps ending our young sessions, someone else logs in with the same user: the
 * watch reports it once and every socket's next login waits (session-takeover.ts), not to fight
 * in a loop.
 */
export const sessionEnded = (
  deps: Pick<OpenFeedSocketDeps, 'takeover' | 'logins'>,
  state: RetryState,
  accessToken: string,
): void => {
  state.serverClosed = undefined;
  state.suspect = 0;
  deps.logins.hold(deps.takeover.sessionEnded(accessToken));
};
