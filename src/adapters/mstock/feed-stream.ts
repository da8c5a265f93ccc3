import type { Exchange, InstrumentToken } from '../../domain/instrument.ts';
import type { FeedMessage, Subscription } from '../../ports/broker-feed.ts';
import { FeedConnection, type ConnectionEvent, type FeedConnectionDeps } from './feed-connection.ts';
import { FeedFrameReader } from './feed-frame-reader.ts';
import { placeTokens, splitTokens } from './feed-socket-plan.ts';
import { FeedStatusMerge } from './feed-status-merge.ts';

export type FeedStreamDeps = Omit<FeedConnectionDeps, 'reader' | 'emit'> & {
  /** The exchange of each selected token, stamped on its ticks (the packets carry only the token). */
  readonly exchangeOf: ((token: InstrumentToken) => Exchange | undefined) | undefined;
};

/** The exchange of each token the selection knows, for the recording's header. */
const exchangesOfTokens = (
  tokens: readonly InstrumentToken[],
  exchangeOf: ((token: InstrumentToken) => Exchange | undefined) | undefined,
): Record<string, Exchange> => {
  const out: Record<string, Exchange> = {};
  if (exchangeOf === undefined) return out;
  for (const t of tokens) {
    const exchange = exchangeOf(t);
    if (exchange !== undefined) out[t] = exchange;
  }
  return out;
};

/** A socket's message waiting for the consumer; `release` lets that socket be read further. */
interface Pending {
  readonly from: FeedConnection;
  readonly event: ConnectionEvent | { readonly kind: 'closed' };
  readonly release: () => void;
}

/**
 * One `messages()` stream over as many sockets as its instruments need (feed-socket-plan.ts): the
 * sockets' messages merged into one stream, each socket read further only once its last message
 * was taken, and one connection status for them all (feed-status-merge.ts). Instruments added
 * later go to sockets with room, then to a new socket while MSTOCK_MAX_SOCKETS allows; a socket
 * emptied by removals (not the first) is closed.
 */
export class FeedStream {
  private readonly subscription: Subscription;
  private readonly deps: FeedStreamDeps;
  /** Every instrument the stream carries: the reader yields ticks of these only. */
  private readonly wanted: Set<InstrumentToken>;
  private readonly reader: FeedFrameReader;
  private readonly connections: FeedConnection[] = [];
  private readonly status = new FeedStatusMerge<FeedConnection>();
  private readonly queue: Pending[] = [];
  private wake: (() => void) | undefined;
  private failure: { readonly error: unknown } | undefined;
  private ended = false;

  /** Throws `TooManyInstruments` at once when the subscription needs more sockets than allowed. */
  constructor(subscription: Subscription, deps: FeedStreamDeps) {
    const tokens = [...new Set(subscription.tokens)];
    this.subscription = { tokens, mode: subscription.mode };
    this.deps = deps;
    // Checked before anything opens: a selection too large is refused at once.
    splitTokens(tokens, deps.settings);
    this.wanted = new Set(tokens);
    const { settings } = deps;
    this.reader = new FeedFrameReader(
      this.wanted,
      {
        tickTimeZone: settings.tickTimeZone,
        priceDivisor: settings.priceDivisor,
        exchangeOf: deps.exchangeOf,
      },
      settings,
      deps.feedMetrics,
      deps.logger,
    );
  }

  async *messages(signal: AbortSignal): AsyncGenerator<FeedMessage> {
    const { tap, clock, settings } = this.deps;
    const onAbort = (): void => this.end();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal.aborted) return;
      tap?.streamStarted({
        tokens: this.subscription.tokens,
        mode: this.subscription.mode,
        tickTimeZone: settings.tickTimeZone,
        priceDivisor: settings.priceDivisor,
        exchanges: exchangesOfTokens(this.subscription.tokens, this.deps.exchangeOf),
        at: clock.now(),
      });
      for (const group of splitTokens(this.subscription.tokens, settings)) this.open(group, true);
      for (;;) {
        const next = await this.take();
        if (next === undefined) {
          // After an abort, a socket's late failure is nobody's concern.
          if (this.failure !== undefined && !this.aborted(signal)) throw this.failure.error;
          return;
        }
        const message = this.messageOf(next);
        if (message !== undefined) {
          if (message.kind !== 'ticks') tap?.status(message);
          yield message;
        }
        next.release();
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.end();
    }
  }

  /** Sends subscribe and mode again for these tokens, each on the socket that carries it. */
  resend(tokens: readonly InstrumentToken[]): boolean {
    let sent = false;
    for (const c of this.connections) sent = c.resend(tokens) || sent;
    return sent;
  }

  /**
   * Adds and removes instruments. Returns whether anything changed, and false when some added
   * instruments fit no socket (logged as an error naming the settings; the rest are taken).
   */
  change(added: readonly InstrumentToken[], removed: readonly InstrumentToken[]): boolean {
    if (this.ended) return false;
    const gone = [...new Set(removed)].filter((t) => this.wanted.delete(t));
    if (gone.length > 0) {
      for (const c of this.connections) c.remove(gone);
      for (const c of this.connections.slice(1)) if (c.tokens.size === 0) this.close(c);
    }
    const fresh = [...new Set(added)].filter((t) => !this.wanted.has(t));
    const { settings, logger } = this.deps;
    const placed = placeTokens(
      fresh,
      this.connections.map((c) => c.tokens.size),
      settings,
    );
    const existing = [...this.connections];
    placed.intoExisting.forEach((tokens, i) => {
      for (const t of tokens) this.wanted.add(t);
      if (tokens.length > 0) existing[i]?.add(tokens);
    });
    for (const tokens of placed.intoNew) {
      for (const t of tokens) this.wanted.add(t);
      this.open(tokens, false);
    }
    if (placed.left.length > 0) {
      logger.error(
        'The feed cannot carry more instruments: every socket is full (MSTOCK_MAX_INSTRUMENTS_PER_SOCKET) and no more may be opened (MSTOCK_MAX_SOCKETS)',
        {
          notSubscribed: placed.left.length,
          tokens: placed.left.slice(0, 20).join(','),
          maxInstrumentsPerSocket: settings.maxInstrumentsPerSocket,
          maxSockets: settings.maxSockets,
        },
      );
      return false;
    }
    return fresh.length > 0 || gone.length > 0;
  }

  /** Replaces each socket that showed no tick for `quietForMs`. */
  replaceQuiet(quietForMs: number): boolean {
    let replaced = false;
    for (const c of this.connections) replaced = c.replaceQuiet(quietForMs) || replaced;
    return replaced;
  }

  /** The stream's message for a socket's event, if it changes what the stream says. */
  private messageOf(pending: Pending): FeedMessage | undefined {
    const { event, from } = pending;
    switch (event.kind) {
      case 'up':
        return this.status.up(from, event.attempt, event.at);
      case 'down':
        return this.status.down(from, event.at, event.reason);
      case 'closed':
        return this.status.remove(from, this.deps.clock.now());
      case 'gap': {
        // Instruments removed since the socket dropped are no longer anyone's concern.
        const tokens = event.gap.tokens.filter((t) => this.wanted.has(t));
        return tokens.length === 0 ? undefined : { kind: 'gap', gap: { ...event.gap, tokens } };
      }
      case 'ticks':
        return event;
    }
  }

  private open(tokens: readonly InstrumentToken[], counted: boolean): void {
    const used = new Set(this.connections.map((c) => c.number));
    let number = 1;
    while (used.has(number)) number += 1;
    const connection: FeedConnection = new FeedConnection(number, tokens, this.subscription.mode, {
      ...this.deps,
      reader: this.reader,
      emit: (event) => this.emit(connection, event),
    });
    this.connections.push(connection);
    this.status.add(connection, counted);
    connection.run().catch((error: unknown) => {
      this.failure ??= { error };
      this.wakeUp();
    });
  }

  /** Closes an emptied socket: what it still had queued is dropped, and it no longer counts. */
  private close(connection: FeedConnection): void {
    const at = this.connections.indexOf(connection);
    if (at < 0) return;
    this.connections.splice(at, 1);
    connection.stop();
    this.dropQueued(connection);
    this.queue.push({ from: connection, event: { kind: 'closed' }, release: () => undefined });
    this.wakeUp();
  }

  private emit(from: FeedConnection, event: ConnectionEvent): Promise<void> {
    if (this.ended || !this.connections.includes(from)) return Promise.resolve();
    return new Promise((release) => {
      this.queue.push({ from, event, release });
      this.wakeUp();
    });
  }

  /** The next socket message; undefined once the stream ended or a socket failed for good. */
  private async take(): Promise<Pending | undefined> {
    for (;;) {
      if (this.ended || this.failure !== undefined) return undefined;
      const next = this.queue.shift();
      if (next !== undefined) return next;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private dropQueued(connection: FeedConnection): void {
    for (let i = this.queue.length - 1; i >= 0; i -= 1) {
      const p = this.queue[i];
      if (p?.from !== connection) continue;
      this.queue.splice(i, 1);
      p.release();
    }
  }

  /** A function, not the property: TypeScript would keep `signal.aborted` narrowed across awaits. */
  private aborted(signal: AbortSignal): boolean {
    return signal.aborted;
  }

  /** Stops every socket and lets every waiting one go: on abort and on any way out. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const c of this.connections) c.stop();
    for (const p of this.queue.splice(0)) p.release();
    this.wakeUp();
  }
}
