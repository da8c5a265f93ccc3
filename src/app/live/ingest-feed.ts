import type { FeedGap } from '../domain/feed-events.ts';
import type { Tick } from '../domain/tick.ts';
import type { EpochMs } from '../domain/units.ts';
import type { BrokerFeed, FeedMessage, Subscription } from '../ports/broker-feed.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger/logger.ts';
import type { Counter, Metrics } from '../ports/metrics.ts';
import type { TickSink } from '../ports/tick-sink/tick-sink.ts';

const MAX_GAPS_KEPT = 1000;

export interface IngestSettings {
  /** Publishes allowed in flight before the loop waits for the oldest: bounds memory, keeps order. */
  readonly maxInFlight: number;
  readonly onGap?: (gap: FeedGap) => void;
  /**
   * Checks each frame's ticks before the sink (src/app/trust/tick-screen.ts): returns the ticks
   * that may be published; it answers for the others itself (quarantine).
   */
  readonly screen?: (ticks: readonly Tick[], receivedAt: EpochMs) => readonly Tick[];
  /** Sees every message after screening (ticks messages hold only the ticks that passed). */
  readonly observe?: (message: FeedMessage) => void;
  /** Keep each token's last tick in the status (the demo's screen); off, the hot path skips it. */
  readonly keepLatest?: boolean;
}

export interface IngestStatus {
  readonly connected: boolean;
  readonly ticksReceived: number;
  readonly ticksAccepted: number;
  readonly ticksRejected: number;
  /** Ticks the screen held back (they went to quarantine, not to the sink). */
  readonly ticksQuarantined: number;
  readonly lastTickAt: EpochMs | undefined;
  readonly reconnects: number;
  readonly gaps: readonly FeedGap[];
  /** The last tick of each token, for the demo's screen (empty unless `keepLatest`). */
  readonly latest: ReadonlyMap<string, Tick>;
}

/**
 * The one ingest loop, written against `BrokerFeed` and `TickSink`, used live, in the demo and in
 * replay. It forwards each frame's ticks to the sink without awaiting each publish (order is the
 * sink's promise), keeping at most `maxInFlight` publishes open, so a slow sink slows the loop
 * instead of growing memory.
 */
export class FeedIngestion {
  private readonly feed: BrokerFeed;
  private readonly sink: TickSink;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly settings: IngestSettings;
  private readonly received: Counter;
  private readonly accepted: Counter;
  private readonly rejected: Counter;
  private readonly reconnectCounter: Counter;
  private readonly gapCounter: Counter;
  private readonly inFlight: { done: boolean; promise: Promise<void> }[] = [];
  private status: {
    connected: boolean;
    ticksReceived: number;
    ticksAccepted: number;
    ticksRejected: number;
    ticksQuarantined: number;
    lastTickAt: EpochMs | undefined;
    reconnects: number;
    gaps: FeedGap[];
  } = {
    connected: false,
    ticksReceived: 0,
    ticksAccepted: 0,
    ticksRejected: 0,
    ticksQuarantined: 0,
    lastTickAt: undefined,
    reconnects: 0,
    gaps: [],
  };
  private readonly latest = new Map<string, Tick>();

  constructor(
    deps: { feed: BrokerFeed; sink: TickSink; logger: Logger; metrics: Metrics; clock: Clock },
    settings: IngestSettings,
  ) {
    this.feed = deps.feed;
    this.sink = deps.sink;
    this.logger = deps.logger;
    this.clock = deps.clock;
    this.settings = settings;
    const m = deps.metrics;
    this.received = m.counter('ticks_received_total', 'Ticks decoded from the feed');
    this.accepted = m.counter(
      'ticks_accepted_total',
      'Ticks the sink accepted (durable: in Kafka or in the journal)',
    );
    this.rejected = m.counter(
      'ticks_rejected_total',
      'Ticks the sink refused (see sink_ticks_dropped_total and the log)',
    );
    this.reconnectCounter = m.counter('feed_reconnects_total', 'Feed connections after the first');
    this.gapCounter = m.counter(
      'feed_gaps_total',
      'Gaps in the feed (disconnects, mute sockets, silent instruments)',
    );
    const connected = m.gauge('feed_connected', '1 while the feed socket is connected');
    const lastTickAge = m.gauge('last_tick_age_seconds', 'Seconds since the last tick was received');
    this.onConnectedChange = (c) => connected.set(c ? 1 : 0);
    this.updateAge = () => {
      const last = this.status.lastTickAt;
      lastTickAge.set(last === undefined ? -1 : (this.clock.now() - last) / 1000);
    };
  }

  private readonly onConnectedChange: (connected: boolean) => void;
  /** Refreshes `last_tick_age_seconds`; the service calls it on a timer, not per tick. */
  readonly updateAge: () => void;

  snapshot(): IngestStatus {
    return { ...this.status, gaps: [...this.status.gaps], latest: this.latest };
  }

  /** Runs until `signal` aborts or the feed ends, then waits for every publish in flight. */
  async run(subscription: Subscription, signal: AbortSignal): Promise<void> {
    try {
      for await (const message of this.feed.messages(subscription, signal)) {
        switch (message.kind) {
          case 'ticks': {
            const passed = this.screened(message.ticks, message.receivedAt);
            this.settings.observe?.(passed === message.ticks ? message : { ...message, ticks: passed });
            await this.forward(passed);
            break;
          }
          case 'connected':
            this.status.connected = true;
            if (message.attempt > 1) {
              this.status.reconnects += 1;
              this.reconnectCounter.inc();
            }
            this.onConnectedChange(true);
            this.settings.observe?.(message);
            break;
          case 'disconnected':
            this.status.connected = false;
            this.onConnectedChange(false);
            this.logger.warn('Feed disconnected', { reason: message.reason });
            this.settings.observe?.(message);
            break;
          case 'gap':
            this.reportGap(message.gap);
            this.settings.observe?.(message);
            break;
        }
      }
    } finally {
      this.status.connected = false;
      this.onConnectedChange(false);
      await Promise.allSettled(this.inFlight.map((f) => f.promise));
    }
  }

  /**
   * Records a gap: counted, kept in the status, handed to `onGap` (the ledger, the backfill).
   * The feed's own gaps come through here, and so do the ones the freshness monitor finds.
   */
  reportGap(gap: FeedGap): void {
    this.status.gaps.push(gap);
    // The latest gaps only: the ledger keeps them all.
    if (this.status.gaps.length > MAX_GAPS_KEPT) this.status.gaps.shift();
    this.gapCounter.inc();
    this.settings.onGap?.(gap);
    this.logger.warn('Feed gap', {
      cause: gap.cause,
      from: new Date(gap.from).toISOString(),
      to: new Date(gap.to).toISOString(),
      tokens: gap.tokens.length,
      ...(gap.tokens.length === 1 ? { token: gap.tokens[0] } : {}),
    });
  }

  /** Counts the frame's ticks as received and returns those the screen lets through. */
  private screened(ticks: readonly Tick[], receivedAt: EpochMs): readonly Tick[] {
    const n = ticks.length;
    if (n === 0) return ticks;
    this.status.ticksReceived += n;
    this.received.inc(n);
    this.status.lastTickAt = receivedAt;
    const screen = this.settings.screen;
    if (screen === undefined) return ticks;
    const passed = screen(ticks, receivedAt);
    this.status.ticksQuarantined += n - passed.length;
    return passed;
  }

  private async forward(ticks: readonly Tick[]): Promise<void> {
    if (ticks.length === 0) return;
    const n = ticks.length;
    if (this.settings.keepLatest === true) for (const t of ticks) this.latest.set(t.token, t);
    const publish = this.sink.publish(ticks).then(
      () => {
        this.status.ticksAccepted += n;
        this.accepted.inc(n);
      },
      (e: unknown) => {
        this.status.ticksRejected += n;
        this.rejected.inc(n);
        this.logger.error('Sink refused ticks', {
          ticks: n,
          error: e instanceof Error ? e.message : String(e),
        });
      },
    );
    const entry = { done: false, promise: publish };
    entry.promise = publish.finally(() => {
      entry.done = true;
    });
    this.inFlight.push(entry);
    while (this.inFlight[0]?.done === true) this.inFlight.shift();
    if (this.inFlight.length >= this.settings.maxInFlight) await this.inFlight.shift()?.promise;
  }
}
