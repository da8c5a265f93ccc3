import type { FeedGap, GapCause } from '../../domain/feed-events.ts';
import type { InstrumentToken } from '../../domain/instrument.ts';
import type { Tick } from '../../domain/tick.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { SubscriptionMode } from '../../ports/broker-feed.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Gauge, Metrics } from '../../ports/metrics.ts';
import type { Sleep } from './abortable.ts';
import { backoffDelay } from './backoff.ts';
import type { FeedFrameReader } from './feed-frame-reader.ts';
import type { FeedMetrics } from './feed-metrics.ts';
import { loginMessage, readServerText, subscriptionMessages, unsubscribeMessages } from './feed-protocol.ts';
import type { FeedSocket } from './feed-socket.ts';
import type { FeedTap } from './feed-tap.ts';
import { QUIET_SOCKET, SILENT_SOCKET, startFeedWatchdog } from './feed-watchdog.ts';
import type { LoginGate } from './login-gate.ts';
import type { FeedSettings } from './mstock-settings.ts';
import { openFeedSocket, sessionEnded, suspectToken, type RetryState } from './open-feed-socket.ts';
import type { SecretMasker } from './secret-masker.ts';
import type { SessionManager } from './session-manager.ts';
import type { SessionTakeoverWatch } from './session-takeover-watch.ts';

/** What one socket tells its stream, in order. */
export type ConnectionEvent =
  | { readonly kind: 'up'; readonly at: EpochMs; readonly attempt: number }
  | { readonly kind: 'down'; readonly at: EpochMs; readonly reason: string }
  | { readonly kind: 'gap'; readonly gap: FeedGap }
  | { readonly kind: 'ticks'; readonly ticks: readonly Tick[]; readonly receivedAt: EpochMs };

/** What every socket of a feed shares: one session, one takeover watch, one login gate, the metrics. */
export interface FeedConnectionDeps {
  readonly session: SessionManager;
  readonly settings: FeedSettings;
  readonly masker: SecretMasker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly feedMetrics: FeedMetrics;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly takeover: SessionTakeoverWatch;
  readonly logins: LoginGate;
  /** `feed_sockets_open`: sockets connected now, across the feed. */
  readonly socketsOpen: Gauge;
  readonly tap: FeedTap | undefined;
  /** The stream's decoder: one sequencer for all its sockets keeps tick ids unique. */
  readonly reader: FeedFrameReader;
  /** Hands an event to the stream; resolves once its consumer took it, and only then is the socket read further. */
  readonly emit: (event: ConnectionEvent) => Promise<void>;
}

/**
 * One socket of a stream and the instruments it carries: connects, sends `LOGIN:`, subscribes its
 * own tokens in the stream's mode, reads frames, and when the socket drops, goes silent or the
 * session nears expiry, replaces it after its own backoff and subscribes its tokens again. A gap
 * names only its tokens and runs from the last frame the lost socket delivered (a quiet socket:
 * its last tick) to the moment the new socket was subscribed.
 *
 * A socket the server closed whose token is then refused means the broker ended the session: the
 * shared takeover watch decides whether the next login must wait, for every socket.
 */
export class FeedConnection {
  /** 1-based, at most MSTOCK_MAX_SOCKETS: the `socket` field of its log lines and its metric label. */
  readonly number: number;
  readonly tokens: Set<InstrumentToken>;
  private readonly mode: SubscriptionMode;
  private readonly deps: FeedConnectionDeps;
  private readonly stopper = new AbortController();
  /** Tokens added since the socket dropped: no gap of theirs before they were followed. */
  private readonly joinedWhileDown = new Set<InstrumentToken>();
  private readonly instruments: Gauge;
  private socket: FeedSocket | undefined;
  /** The socket's last tick (or its connect): what a socket alive with heartbeats alone is judged by. */
  private lastTickAt: EpochMs;

  constructor(
    number: number,
    tokens: readonly InstrumentToken[],
    mode: SubscriptionMode,
    deps: FeedConnectionDeps,
  ) {
    this.number = number;
    this.tokens = new Set(tokens);
    this.mode = mode;
    this.deps = deps;
    this.lastTickAt = deps.clock.now();
    this.instruments = deps.metrics.gauge(
      'feed_socket_instruments',
      'Instruments subscribed on each feed socket (socket 1..MSTOCK_MAX_SOCKETS)',
      { socket: String(number) },
    );
    this.instruments.set(this.tokens.size);
  }

  /** Closes the socket and ends `run` without another event. */
  stop(): void {
    // Now, not when `run` ends: the stream may give this number to a new socket meanwhile.
    if (!this.stopper.signal.aborted) this.instruments.set(0);
    this.stopper.abort();
    this.socket?.close('aborted');
  }

  /** Sends `subscribe` and `mode` again for those of `asked` this socket carries; whether it could. */
  resend(asked: readonly InstrumentToken[]): boolean {
    const mine = asked.filter((t) => this.tokens.has(t));
    if (this.socket === undefined || mine.length === 0) return false;
    this.sendAll(subscriptionMessages(mine, this.mode, this.deps.settings.maxInstrumentsPerSocket));
    return true;
  }

  /** Carries these tokens too, from now on and after every reconnect. */
  add(tokens: readonly InstrumentToken[]): void {
    const fresh = tokens.filter((t) => !this.tokens.has(t));
    for (const t of fresh) this.tokens.add(t);
    // Added while the socket is down: the outage began before they were followed.
    if (this.socket === undefined) for (const t of fresh) this.joinedWhileDown.add(t);
    this.instruments.set(this.tokens.size);
    if (fresh.length > 0 && this.socket !== undefined)
      this.sendAll(subscriptionMessages(fresh, this.mode, this.deps.settings.maxInstrumentsPerSocket));
  }

  /** Stops carrying these tokens. */
  remove(tokens: readonly InstrumentToken[]): void {
    const gone = tokens.filter((t) => this.tokens.delete(t));
    this.instruments.set(this.tokens.size);
    if (gone.length > 0 && this.socket !== undefined)
      this.sendAll(unsubscribeMessages(gone, this.deps.settings.maxInstrumentsPerSocket));
  }

  /** Replaces the socket if it showed no tick for `quietForMs` and has nothing waiting to be read. */
  replaceQuiet(quietForMs: number): boolean {
    const socket = this.socket;
    // Frames waiting to be read may hold ticks: a slow consumer is not a mute socket. A socket
    // carrying nothing (the first, emptied by a refresh) has no tick to show.
    if (
      socket === undefined ||
      this.tokens.size === 0 ||
      !socket.idle ||
      this.deps.clock.now() - this.lastTickAt < quietForMs
    )
      return false;
    socket.close(QUIET_SOCKET);
    return true;
  }

  /** Connects and reconnects until `stop`; rejects on a login failure that retrying cannot fix. */
  async run(): Promise<void> {
    const { settings, clock, logger, feedMetrics } = this.deps;
    const signal = this.stopper.signal;
    // A function, not the property: TypeScript would keep `signal.aborted` narrowed across awaits.
    const stopped = (): boolean => signal.aborted;
    const state: RetryState = {
      attempt: 0,
      failures: 0,
      suspect: 0,
      serverClosed: undefined,
    };
    let lost: { readonly since: EpochMs; readonly cause: GapCause } | undefined;
    try {
      while (!stopped()) {
        const backoff =
          state.attempt > 0 ? backoffDelay(settings.reconnectBackoff, state.failures, this.deps.random) : 0;
        const wait = Math.max(backoff, this.deps.logins.remainingMs());
        if (wait > 0) {
          try {
            await this.deps.sleep(wait, signal);
          } catch {
            return;
          }
        }
        state.attempt += 1;
        const opened = await openFeedSocket(this.deps, state, signal);
        if (opened === undefined) continue;
        const current = opened.socket;
        this.socket = current;
        current.send(loginMessage(opened.accessToken));
        this.sendAll(subscriptionMessages([...this.tokens], this.mode, settings.maxInstrumentsPerSocket));
        const connectedAt = clock.now();
        this.lastTickAt = connectedAt;
        logger.info('Connected to MStock WebSocket', { socket: this.number, instruments: this.tokens.size });
        if (state.attempt > 1) feedMetrics.reconnects.inc();
        this.deps.socketsOpen.inc();
        // Watched from now on, not from the consumer's next pull: the stream waits at each message.
        const stopWatchdog = startFeedWatchdog(current, this.deps, opened.accessToken);
        let reason = 'aborted';
        let byServer = false;
        let framed = false;
        try {
          await this.deps.emit({ kind: 'up', at: connectedAt, attempt: state.attempt });
          if (lost !== undefined && !stopped()) {
            const tokens = [...this.tokens].filter((t) => !this.joinedWhileDown.has(t));
            const gap = { tokens, from: lost.since, to: connectedAt, cause: lost.cause };
            lost = undefined;
            this.joinedWhileDown.clear();
            if (tokens.length > 0) await this.deps.emit({ kind: 'gap', gap });
          }
          this.joinedWhileDown.clear();
          while (!stopped()) {
            const event = await current.next();
            if (stopped()) break;
            if (event.type === 'closed') {
              reason = event.reason;
              byServer = event.byServer;
              break;
            }
            if (event.type === 'text') {
              this.deps.tap?.frame(Buffer.from(event.text, 'utf8'), event.receivedAt, 'text');
              this.onText(event.text);
              continue;
            }
            this.deps.tap?.frame(event.data, event.receivedAt, 'binary');
            const frame = this.deps.reader.read(event.data, event.receivedAt);
            if (!framed) {
              // A frame proves the token and the subscription work: start backing off afresh.
              framed = true;
              state.failures = 0;
              state.suspect = 0;
            }
            if (frame.ticks.length > 0) {
              this.lastTickAt = event.receivedAt;
              await this.deps.emit({ kind: 'ticks', ticks: frame.ticks, receivedAt: event.receivedAt });
            }
          }
        } finally {
          stopWatchdog();
          current.close('stopped');
          this.socket = undefined;
          this.deps.socketsOpen.dec();
        }
        if (stopped()) return;
        this.judgeLoss(state, opened.accessToken, framed, byServer);
        logger.warn('Disconnected from MStock WebSocket', { socket: this.number, reason });
        await this.deps.emit({ kind: 'down', at: clock.now(), reason });
        // A socket replaced for sending no tick lost data from its last tick, not its last heartbeat.
        lost =
          reason === QUIET_SOCKET
            ? { since: this.lastTickAt, cause: 'mute-socket' }
            : { since: current.lastFrameAt, cause: reason === SILENT_SOCKET ? 'mute-socket' : 'disconnect' };
      }
    } finally {
      // A stopped socket zeroed its gauge in `stop` (its number may belong to another by now).
      if (!this.stopper.signal.aborted) this.instruments.set(0);
    }
  }

  /** A socket that ended before its first frame may mean the token is refused, or the session ended. */
  private judgeLoss(state: RetryState, accessToken: string, framed: boolean, byServer: boolean): void {
    // Closed by the server before any frame, right after it closed this token's last socket.
    const refusedAgain = !framed && byServer && state.serverClosed === accessToken;
    state.serverClosed = byServer ? accessToken : undefined;
    if (framed) return;
    state.failures += 1;
    if (refusedAgain) sessionEnded(this.deps, state, accessToken);
    else suspectToken(this.deps, state, accessToken);
  }

  private sendAll(messages: readonly string[]): void {
    const socket = this.socket;
    if (socket === undefined) return;
    for (const m of messages) socket.send(m);
  }

  private onText(text: string): void {
    const { feedMetrics, logger, masker } = this.deps;
    feedMetrics.textFrames.inc();
    const message = readServerText(text);
    if (message.kind === 'error') {
      feedMetrics.serverErrors.inc();
      logger.warn('MStock WebSocket reported an error', {
        socket: this.number,
        message: masker.mask(message.message),
      });
    }
  }
}
