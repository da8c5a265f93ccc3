import type { GapCause } from '../../domain/feed-events.ts';
import type { InstrumentToken } from '../../domain/instrument.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { BrokerFeed, FeedMessage, Subscription } from '../../ports/broker-feed.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { realSleep, type Sleep } from './abortable.ts';
import { backoffDelay } from './backoff.ts';
import { FeedFrameReader } from './feed-frame-reader.ts';
import { FeedMetrics } from './feed-metrics.ts';
import {
  feedUrl,
  loginMessage,
  readServerText,
  subscriptionMessages,
  unsubscribeMessages,
} from './feed-protocol.ts';
import { FeedSocket } from './feed-socket.ts';
import type { FeedStatusMessage, FeedTap } from './feed-tap.ts';
import { QUIET_SOCKET, SILENT_SOCKET, startFeedWatchdog } from './feed-watchdog.ts';
import { ApiKeyRejected, isMstockError, SessionExpired } from './mstock-errors.ts';
import type { FeedSettings } from './mstock-settings.ts';
import type { SecretMasker } from './secret-masker.ts';
import type { SessionManager } from './session-manager.ts';
import { SessionTakeoverWatch } from './session-takeover-watch.ts';

export interface MstockBrokerFeedDeps {
  readonly session: SessionManager;
  readonly settings: FeedSettings;
  readonly masker: SecretMasker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Waits between connection attempts; real time unless a test passes its own. */
  readonly sleep?: Sleep;
  /** [0, 1) for the backoff's jitter; `Math.random` unless a test passes its own. */
  readonly random?: () => number;
  /** Sees every frame and connection change, in order, e.g. to record the session (feed-tap.ts). */
  readonly tap?: FeedTap;
}

interface RetryState {
  /** Connection attempts since `messages()` began. */
  attempt: number;
  /** Failures since the last good connection: the backoff's exponent. */
  failures: number;
  /** Failed connections in a row that may be the token's fault. */
  suspect: number;
  /** Logins in a row whose API key the broker refused. */
  keyRefusals: number;
  /** The token of the last connection the server ended with a close frame, until one works again. */
  serverClosed: string | undefined;
  /** The next wait lasts at least this long: a takeover's login backoff (0: none). */
  loginDelayMs: number;
}

/**
 * Logins in a row with a refused API key before the feed gives up. Each try is a full password
 * login, and a broker may lock an account that keeps failing; more than one only in case the
 * refusal was a gateway's passing fault.
 */
export const API_KEY_TRIES = 3;

/** Login failures that retrying cannot fix (and that could lock the account if repeated). */
const shouldRetry = (e: unknown, state: RetryState): boolean => {
  if (!isMstockError(e)) return false;
  if (e.kind === 'ApiKeyRejected') return state.keyRefusals < API_KEY_TRIES;
  return e.retryable || e.kind === 'SessionExpired' || e.kind === 'UnexpectedResponse';
};

/**
 * The m.Stock live feed as a `BrokerFeed`. Each `messages()` call keeps the wanted subscription
 * apart from any one socket and puts it back after every reconnect: connect with the session's
 * token, send `LOGIN:`, the subscribe messages and the mode; read frames; when the socket drops,
 * goes silent while the market is open, or the session nears its expiry, replace it after a
 * backoff. The stream carries `connected`, `disconnected` and `gap` messages around the ticks.
 *
 * A socket the server closed whose token is then refused means the broker ended the session: log
 * in again at once, or, when another login with the same user keeps ending our sessions, report
 * it once and wait longer before each login (`session-takeover-watch.ts`).
 *
 * `connected.attempt` counts connection attempts since `messages()` began (1 = the first), so a
 * value above 1 means a reconnect. A gap runs from the last frame the lost socket delivered (so
 * a mute socket's silence is inside it) to the moment the new socket was subscribed.
 */
export class MstockBrokerFeed implements BrokerFeed {
  private readonly deps: MstockBrokerFeedDeps;
  private readonly feedMetrics: FeedMetrics;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly takeover: SessionTakeoverWatch;
  /** One per open `messages()` stream: sends subscribe messages again on its current socket. */
  private readonly resubscribers = new Set<(tokens: readonly InstrumentToken[]) => boolean>();
  private readonly replacers = new Set<(quietForMs: number) => boolean>();
  /** One per open stream: changes what it wants, on its current socket and for every later one. */
  private readonly changers = new Set<
    (added: readonly InstrumentToken[], removed: readonly InstrumentToken[]) => boolean
  >();

  constructor(deps: MstockBrokerFeedDeps) {
    this.deps = deps;
    this.feedMetrics = new FeedMetrics(deps.metrics);
    this.sleep = deps.sleep ?? realSleep;
    this.random = deps.random ?? Math.random;
    this.takeover = new SessionTakeoverWatch({
      session: deps.session,
      settings: deps.settings.sessionTakeover,
      clock: deps.clock,
      logger: deps.logger,
      takenOver: this.feedMetrics.sessionTakenOver,
      random: this.random,
    });
  }

  messages(subscription: Subscription, signal: AbortSignal): AsyncIterable<FeedMessage> {
    return this.run(subscription, signal);
  }

  /**
   * Sends `subscribe` and `mode` again for those of `tokens` a stream wants, on its current socket.
   * m.Stock acknowledges no subscription, so the app asks for this when a wanted instrument shows
   * no packet after a connect (issue 9). Returns whether any socket was written to.
   */
  resubscribe(tokens: readonly InstrumentToken[]): boolean {
    let sent = false;
    for (const resend of this.resubscribers) sent = resend(tokens) || sent;
    return sent;
  }

  subscribe(tokens: readonly InstrumentToken[]): boolean {
    let taken = false;
    for (const change of this.changers) taken = change(tokens, []) || taken;
    return taken;
  }

  unsubscribe(tokens: readonly InstrumentToken[]): boolean {
    let had = false;
    for (const change of this.changers) had = change([], tokens) || had;
    return had;
  }

  replaceQuietConnections(quietForMs: number): boolean {
    let replaced = false;
    for (const replace of this.replacers) replaced = replace(quietForMs) || replaced;
    return replaced;
  }

  private async *run(subscription: Subscription, signal: AbortSignal): AsyncGenerator<FeedMessage> {
    const { settings, clock, logger } = this.deps;
    const tokens: readonly InstrumentToken[] = [...new Set(subscription.tokens)];
    if (tokens.length > settings.maxTokensPerConnection) {
      logger.warn(
        'Subscription exceeds the per-connection instrument limit; the broker may refuse the rest',
        {
          tokens: tokens.length,
          limit: settings.maxTokensPerConnection,
        },
      );
    }
    const tap = this.deps.tap;
    tap?.streamStarted({
      tokens,
      mode: subscription.mode,
      tickTimeZone: settings.tickTimeZone,
      priceDivisor: settings.priceDivisor,
      at: clock.now(),
    });
    const tapped = <M extends FeedStatusMessage>(message: M): M => {
      tap?.status(message);
      return message;
    };
    // What the stream wants now: the subscription, changed by `subscribe` and `unsubscribe`.
    const wanted = new Set<InstrumentToken>(tokens);
    const reader = new FeedFrameReader(
      wanted,
      { tickTimeZone: settings.tickTimeZone, priceDivisor: settings.priceDivisor },
      settings,
      this.feedMetrics,
      logger,
    );
    // A function, not the property: TypeScript would keep `signal.aborted` narrowed across awaits.
    const stopped = (): boolean => signal.aborted;
    let socket: FeedSocket | undefined;
    const onAbort = (): void => socket?.close('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    const resend = (asked: readonly InstrumentToken[]): boolean => {
      const mine = asked.filter((t) => wanted.has(t));
      if (socket === undefined || mine.length === 0) return false;
      for (const m of subscriptionMessages(mine, subscription.mode, settings.maxTokensPerConnection))
        socket.send(m);
      return true;
    };
    this.resubscribers.add(resend);
    const change = (added: readonly InstrumentToken[], removed: readonly InstrumentToken[]): boolean => {
      const fresh = added.filter((t) => !wanted.has(t));
      const gone = removed.filter((t) => wanted.has(t));
      for (const t of fresh) wanted.add(t);
      for (const t of gone) wanted.delete(t);
      if (socket !== undefined) {
        const chunk = settings.maxTokensPerConnection;
        if (gone.length > 0) for (const m of unsubscribeMessages(gone, chunk)) socket.send(m);
        if (fresh.length > 0)
          for (const m of subscriptionMessages(fresh, subscription.mode, chunk)) socket.send(m);
      }
      return fresh.length > 0 || gone.length > 0;
    };
    this.changers.add(change);
    // The socket's last tick (or its connect): what a socket alive with heartbeats alone is judged by.
    let lastTickAt: EpochMs = clock.now();
    const replace = (quietForMs: number): boolean => {
      // Frames waiting to be read may hold ticks: a slow consumer is not a mute socket.
      if (socket === undefined || !socket.idle || clock.now() - lastTickAt < quietForMs) return false;
      socket.close(QUIET_SOCKET);
      return true;
    };
    this.replacers.add(replace);
    const state: RetryState = {
      attempt: 0,
      failures: 0,
      suspect: 0,
      keyRefusals: 0,
      serverClosed: undefined,
      loginDelayMs: 0,
    };
    let lost: { readonly since: EpochMs; readonly cause: GapCause } | undefined;
    try {
      while (!stopped()) {
        if (state.attempt > 0) {
          const backoff = backoffDelay(settings.reconnectBackoff, state.failures, this.random);
          const wait = Math.max(backoff, state.loginDelayMs);
          state.loginDelayMs = 0;
          try {
            await this.sleep(wait, signal);
          } catch {
            return;
          }
        }
        state.attempt += 1;
        const opened = await this.open(signal, state);
        if (opened === undefined) continue;
        const current = opened.socket;
        socket = current;
        current.send(loginMessage(opened.accessToken));
        const setup = subscriptionMessages([...wanted], subscription.mode, settings.maxTokensPerConnection);
        for (const message of setup) current.send(message);
        const connectedAt = clock.now();
        lastTickAt = connectedAt;
        logger.info('Connected to MStock WebSocket');
        if (state.attempt > 1) this.feedMetrics.reconnects.inc();
        // Watched from now on, not from the consumer's next pull: the generator waits at each yield.
        const stopWatchdog = startFeedWatchdog(current, this.deps);
        let reason = 'aborted';
        let byServer = false;
        let framed = false;
        try {
          yield tapped({ kind: 'connected', at: connectedAt, attempt: state.attempt });
          if (lost !== undefined) {
            yield tapped({
              kind: 'gap',
              gap: { tokens: [...wanted], from: lost.since, to: connectedAt, cause: lost.cause },
            });
            lost = undefined;
          }
          for (;;) {
            const event = await current.next();
            // After an abort nothing more is yielded, not even frames already queued.
            if (stopped()) break;
            if (event.type === 'closed') {
              reason = event.reason;
              byServer = event.byServer;
              break;
            }
            if (event.type === 'text') {
              tap?.frame(Buffer.from(event.text, 'utf8'), event.receivedAt, 'text');
              this.onText(event.text);
              continue;
            }
            tap?.frame(event.data, event.receivedAt, 'binary');
            const frame = reader.read(event.data, event.receivedAt);
            if (!framed) {
              // A frame proves the token and the subscription work: start backing off afresh.
              framed = true;
              state.failures = 0;
              state.suspect = 0;
            }
            if (frame.ticks.length > 0) {
              lastTickAt = event.receivedAt;
              yield { kind: 'ticks', ticks: frame.ticks, receivedAt: event.receivedAt };
            }
          }
        } finally {
          stopWatchdog();
          current.close('stopped');
        }
        if (stopped()) return;
        // Closed by the server before any frame, right after it closed this token's last socket.
        const refusedAgain = !framed && byServer && state.serverClosed === opened.accessToken;
        state.serverClosed = byServer ? opened.accessToken : undefined;
        if (!framed) {
          state.failures += 1;
          if (refusedAgain) this.sessionEnded(state, opened.accessToken);
          else this.suspectToken(state, opened.accessToken);
        }
        const at = clock.now();
        logger.warn('Disconnected from MStock WebSocket', { reason });
        yield tapped({ kind: 'disconnected', at, reason });
        // A socket replaced for sending no tick lost data from its last tick, not its last heartbeat.
        lost =
          reason === QUIET_SOCKET
            ? { since: lastTickAt, cause: 'mute-socket' }
            : { since: current.lastFrameAt, cause: reason === SILENT_SOCKET ? 'mute-socket' : 'disconnect' };
      }
    } finally {
      this.resubscribers.delete(resend);
      this.replacers.delete(replace);
      this.changers.delete(change);
      signal.removeEventListener('abort', onAbort);
      socket?.close('stopped');
    }
  }

  /** A logged-in token and an open socket; undefined after a failure worth retrying (counted, logged). */
  private async open(
    signal: AbortSignal,
    state: RetryState,
  ): Promise<{ readonly socket: FeedSocket; readonly accessToken: string } | undefined> {
    const { session, settings, clock, logger, masker } = this.deps;
    let accessToken: string | undefined;
    try {
      accessToken = await session.accessToken(signal);
      state.keyRefusals = 0;
      const socket = await FeedSocket.open(
        feedUrl(settings.wsUrl, session.apiKey, accessToken),
        {
          handshakeTimeoutMs: settings.handshakeTimeoutMs,
          highWaterMarkFrames: settings.highWaterMarkFrames,
          clock,
          masker,
          onPause: () => this.feedMetrics.backpressurePauses.inc(),
        },
        signal,
      );
      return { socket, accessToken };
    } catch (e) {
      if (signal.aborted) return undefined;
      if (e instanceof ApiKeyRejected) state.keyRefusals += 1;
      if (!shouldRetry(e, state)) throw e;
      if (accessToken !== undefined) {
        const refused = isMstockError(e) && e.endpoint === 'websocket' && typeof e.status === 'number';
        if (refused && state.serverClosed === accessToken) this.sessionEnded(state, accessToken);
        else if (e instanceof SessionExpired) session.invalidate(accessToken);
        else if (refused) this.suspectToken(state, accessToken);
      }
      state.failures += 1;
      const kind = isMstockError(e) ? e.kind : 'Error';
      this.feedMetrics.connectFailure(kind);
      logger.warn('MStock WebSocket connection failed', {
        error: kind,
        message: e instanceof Error ? masker.mask(e.message) : 'unknown',
        attempt: state.attempt,
      });
      return undefined;
    }
  }

  /**
   * A refused handshake, or a connection that ended before its first frame, may mean the broker
   * no longer takes the token (it has answered bad credentials with a bare 502): after
   * `reloginAfterFailedConnections` of them in a row, log in again.
   */
  private suspectToken(state: RetryState, accessToken: string): void {
    state.suspect += 1;
    if (state.suspect >= this.deps.settings.reloginAfterFailedConnections) {
      this.deps.session.invalidate(accessToken);
      state.suspect = 0;
    }
  }

  /**
   * The server closed a socket and then refused its token: the broker ended the session, so log in
   * again; if it keeps ending our young sessions, someone else logs in with the same user: the
   * watch reports it once and the next login waits (session-takeover.ts), not to fight in a loop.
   */
  private sessionEnded(state: RetryState, accessToken: string): void {
    state.serverClosed = undefined;
    state.suspect = 0;
    state.loginDelayMs = this.takeover.sessionEnded(accessToken);
  }

  private onText(text: string): void {
    this.feedMetrics.textFrames.inc();
    const message = readServerText(text);
    if (message.kind === 'error') {
      this.feedMetrics.serverErrors.inc();
      this.deps.logger.warn('MStock WebSocket reported an error', {
        message: this.deps.masker.mask(message.message),
      });
    }
  }
}
