import type { InstrumentToken } from '../../domain/instrument.ts';
import type { Tick } from '../../domain/tick.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { BrokerFeed, FeedMessage, Subscription } from '../../ports/broker-feed.ts';
import type { Clock } from '../../ports/clock.ts';

interface Stream {
  readonly tokens: Set<InstrumentToken>;
  readonly subscription: Subscription;
  readonly queue: FeedMessage[];
  wake: (() => void) | undefined;
  attempt: number;
  downSince: EpochMs | undefined;
}

/**
 * A `BrokerFeed` driven by the test: `emit` plays a frame's ticks, `disconnect` and `reconnect`
 * play a lost connection. Each open stream gets what the real feed would give it: `connected`
 * first, the ticks of its own tokens only (one message per emitted frame), `disconnected`, then
 * `connected` and the `gap` on reconnect; it ends on abort and yields nothing after it.
 */
export class ScriptedBrokerFeed implements BrokerFeed {
  private readonly clock: Clock;
  private readonly streams = new Set<Stream>();
  /** Every subscription asked for, in order. */
  readonly subscriptions: Subscription[] = [];
  /** Every `subscribe` and `unsubscribe` of a running stream, in order. */
  readonly changes: {
    readonly kind: 'subscribe' | 'unsubscribe';
    readonly tokens: readonly InstrumentToken[];
  }[] = [];

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Streams currently open (not yet aborted). */
  get openStreams(): number {
    return this.streams.size;
  }

  /** One frame's worth of ticks, for every stream whose subscription holds their tokens. */
  emit(ticks: readonly Tick[]): void {
    const receivedAt = this.clock.now();
    for (const stream of this.streams) {
      if (stream.downSince !== undefined) continue;
      const own = ticks.filter((t) => stream.tokens.has(t.token));
      if (own.length > 0) this.deliver(stream, { kind: 'ticks', ticks: own, receivedAt });
    }
  }

  subscribe(tokens: readonly InstrumentToken[]): boolean {
    this.changes.push({ kind: 'subscribe', tokens });
    for (const stream of this.streams) for (const t of tokens) stream.tokens.add(t);
    return this.streams.size > 0;
  }

  unsubscribe(tokens: readonly InstrumentToken[]): boolean {
    this.changes.push({ kind: 'unsubscribe', tokens });
    let had = false;
    for (const stream of this.streams) for (const t of tokens) had = stream.tokens.delete(t) || had;
    return had;
  }

  disconnect(reason: string): void {
    const at = this.clock.now();
    for (const stream of this.streams) {
      if (stream.downSince !== undefined) continue;
      stream.downSince = at;
      this.deliver(stream, { kind: 'disconnected', at, reason });
    }
  }

  reconnect(): void {
    const at = this.clock.now();
    for (const stream of this.streams) {
      const since = stream.downSince;
      if (since === undefined) continue;
      stream.downSince = undefined;
      stream.attempt += 1;
      this.deliver(stream, { kind: 'connected', at, attempt: stream.attempt });
      const tokens = [...stream.tokens];
      this.deliver(stream, { kind: 'gap', gap: { tokens, from: since, to: at, cause: 'disconnect' } });
    }
  }

  messages(subscription: Subscription, signal: AbortSignal): AsyncIterable<FeedMessage> {
    return this.run(subscription, signal);
  }

  private deliver(stream: Stream, message: FeedMessage): void {
    stream.queue.push(message);
    const wake = stream.wake;
    stream.wake = undefined;
    wake?.();
  }

  private async *run(subscription: Subscription, signal: AbortSignal): AsyncGenerator<FeedMessage> {
    if (signal.aborted) return;
    this.subscriptions.push(subscription);
    const stream: Stream = {
      tokens: new Set(subscription.tokens),
      subscription,
      queue: [{ kind: 'connected', at: this.clock.now(), attempt: 1 }],
      wake: undefined,
      attempt: 1,
      downSince: undefined,
    };
    const onAbort = (): void => {
      const wake = stream.wake;
      stream.wake = undefined;
      wake?.();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    this.streams.add(stream);
    // A function, not the property: TypeScript would keep `signal.aborted` narrowed across awaits.
    const stopped = (): boolean => signal.aborted;
    try {
      for (;;) {
        const next = stream.queue.shift();
        if (stopped()) return;
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          stream.wake = resolve;
        });
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.streams.delete(stream);
    }
  }
}
