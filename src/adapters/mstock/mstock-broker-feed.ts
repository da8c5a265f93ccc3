import type { Exchange, InstrumentToken } from '../../domain/instrument.ts';
import type { BrokerFeed, FeedMessage, Subscription } from '../../ports/broker-feed.ts';
import { realSleep, type Sleep } from './abortable.ts';
import type { FeedConnectionDeps } from './feed-connection.ts';
import { FeedMetrics } from './feed-metrics.ts';
import { FeedStream, type FeedStreamDeps } from './feed-stream.ts';
import type { FeedTap } from './feed-tap.ts';
import { LoginGate } from './login-gate.ts';
import { SessionTakeoverWatch } from './session-takeover-watch.ts';

export { API_KEY_TRIES } from './open-feed-socket.ts';

/** The session, settings and outlets every socket shares (feed-connection.ts), and what tests may replace. */
export interface MstockBrokerFeedDeps extends Pick<
  FeedConnectionDeps,
  'session' | 'settings' | 'masker' | 'clock' | 'logger' | 'metrics'
> {
  /** Waits between connection attempts; real time unless a test passes its own. */
  readonly sleep?: Sleep;
  /** [0, 1) for the backoff's jitter; `Math.random` unless a test passes its own. */
  readonly random?: () => number;
  /** Sees every frame and connection change, in order, e.g. to record the session (feed-tap.ts). */
  readonly tap?: FeedTap;
  /** The exchange of each selected token, for its ticks: the feed's packets carry only the token. */
  readonly exchangeOf?: (token: InstrumentToken) => Exchange | undefined;
}

/**
 * The m.Stock live feed as a `BrokerFeed`. Each `messages()` call is one stream over as many
 * sockets as its instruments need (MSTOCK_MAX_INSTRUMENTS_PER_SOCKET each, at most
 * MSTOCK_MAX_SOCKETS: feed-stream.ts); each socket connects, logs in, subscribes its own
 * instruments, reconnects and is watched for silence on its own (feed-connection.ts). What the
 * sockets share stays shared: one session (one login for all), the takeover watch and the wait it
 * imposes on every login, the metrics and the tap.
 *
 * The stream says `connected` once every socket is up and `disconnected` when one drops;
 * `connected.attempt` above 1 means a reconnect. A gap names only the lost socket's instruments.
 */
export class MstockBrokerFeed implements BrokerFeed {
  private readonly streamDeps: FeedStreamDeps;
  private readonly streams = new Set<FeedStream>();

  constructor(deps: MstockBrokerFeedDeps) {
    const feedMetrics = new FeedMetrics(deps.metrics);
    const random = deps.random ?? Math.random;
    this.streamDeps = {
      session: deps.session,
      settings: deps.settings,
      masker: deps.masker,
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      feedMetrics,
      sleep: deps.sleep ?? realSleep,
      random,
      takeover: new SessionTakeoverWatch({
        session: deps.session,
        settings: deps.settings.sessionTakeover,
        clock: deps.clock,
        logger: deps.logger,
        takenOver: feedMetrics.sessionTakenOver,
        random,
      }),
      logins: new LoginGate(deps.clock),
      socketsOpen: deps.metrics.gauge('feed_sockets_open', 'Feed sockets connected now'),
      tap: deps.tap,
      exchangeOf: deps.exchangeOf,
    };
  }

  /** Throws `TooManyInstruments` at once when the subscription needs more than MSTOCK_MAX_SOCKETS sockets. */
  messages(subscription: Subscription, signal: AbortSignal): AsyncIterable<FeedMessage> {
    return this.run(new FeedStream(subscription, this.streamDeps), signal);
  }

  /**
   * Sends `subscribe` and `mode` again for those of `tokens` a stream wants, each on the socket
   * that carries it. m.Stock acknowledges no subscription, so the app asks for this when a wanted
   * instrument shows no packet after a connect (issue 9). Returns whether any socket was written to.
   */
  resubscribe(tokens: readonly InstrumentToken[]): boolean {
    let sent = false;
    for (const stream of this.streams) sent = stream.resend(tokens) || sent;
    return sent;
  }

  /** Adds to sockets with room, then to new ones; false (and an error logged) when some fit nowhere. */
  subscribe(tokens: readonly InstrumentToken[]): boolean {
    let taken = false;
    for (const stream of this.streams) taken = stream.change(tokens, []) || taken;
    return taken;
  }

  unsubscribe(tokens: readonly InstrumentToken[]): boolean {
    let had = false;
    for (const stream of this.streams) had = stream.change([], tokens) || had;
    return had;
  }

  replaceQuietConnections(quietForMs: number): boolean {
    let replaced = false;
    for (const stream of this.streams) replaced = stream.replaceQuiet(quietForMs) || replaced;
    return replaced;
  }

  private async *run(stream: FeedStream, signal: AbortSignal): AsyncGenerator<FeedMessage> {
    this.streams.add(stream);
    try {
      yield* stream.messages(signal);
    } finally {
      this.streams.delete(stream);
    }
  }
}
