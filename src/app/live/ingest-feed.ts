import type { FeedGap } from '../../domain/feed-events.ts';
import type { InstrumentToken } from '../../domain/instrument.ts';
import type { Tick } from '../../domain/tick.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { BrokerFeed, Subscription } from '../../ports/broker-feed.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { TickSink } from '../../ports/tick-sink/tick-sink.ts';
import { FeedStatusStage } from './feed-status-stage.ts';
import { GapReportStage } from './gap-report-stage.ts';
import { LatestTickStage } from './latest-stage.ts';
import type { LiveMessage, Pass, Stage } from './live-message.ts';
import { ScreenStage } from './screen-stage.ts';
import { SinkStage } from './sink-stage.ts';
import { chainStages } from './stage-chain.ts';

/** The beat's period: the stages' timed work (silence, subscriptions, bars, age gauges) runs this often. */
const BEAT_MS = 1000;

export interface IngestSettings {
  /** Publishes allowed in flight before the loop waits for the oldest: bounds memory, keeps order. */
  readonly maxInFlight: number;
  /**
   * Checks each frame's ticks first (src/app/trust/tick-screen.ts): returns the ticks that may be
   * published; it answers for the others itself (quarantine). The replay's screen; live's is a stage.
   */
  readonly screen?: (ticks: readonly Tick[], receivedAt: EpochMs) => readonly Tick[];
  /** The stages between the feed's status and the gap report (live: the trust stages), in order. */
  readonly stages?: readonly Stage[];
  /** Stages that consume gaps, after they are counted and logged (the gap ledger). */
  readonly gapConsumers?: readonly Stage[];
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

const NO_LATEST: ReadonlyMap<string, Tick> = new Map();

/**
 * The live path, used live, in the demo and in replay: the feed's messages through a chain of
 * stages (live-message.ts) — the feed's status, the screen and the trust stages, the gap report
 * and the gap consumers, the sink. Gaps, beats and instrument changes are messages on that path;
 * nothing calls back into this loop. Instruments can be added and removed while it runs.
 */
export class FeedIngestion {
  private readonly feed: BrokerFeed;
  private readonly clock: Clock;
  private readonly status: FeedStatusStage;
  private readonly screens: readonly ScreenStage[];
  private readonly gapReport: GapReportStage;
  private readonly latest: LatestTickStage | undefined;
  private readonly sink: SinkStage;
  private readonly entry: Pass;
  private readonly followed = new Set<InstrumentToken>();

  constructor(
    deps: { feed: BrokerFeed; sink: TickSink; logger: Logger; metrics: Metrics; clock: Clock },
    settings: IngestSettings,
  ) {
    this.feed = deps.feed;
    this.clock = deps.clock;
    this.status = new FeedStatusStage(deps);
    this.gapReport = new GapReportStage(deps);
    this.latest = settings.keepLatest === true ? new LatestTickStage() : undefined;
    this.sink = new SinkStage(deps, settings);
    const screen = settings.screen;
    const stages: Stage[] = [
      this.status,
      ...(screen === undefined ? [] : [new ScreenStage({ screen })]),
      ...(settings.stages ?? []),
      this.gapReport,
      ...(settings.gapConsumers ?? []),
      ...(this.latest === undefined ? [] : [this.latest]),
      this.sink,
    ];
    this.screens = stages.filter((s): s is ScreenStage => s instanceof ScreenStage);
    this.entry = chainStages(stages);
  }

  snapshot(): IngestStatus {
    const s = this.status;
    return {
      connected: s.connected,
      ticksReceived: s.ticksReceived,
      ticksAccepted: this.sink.ticksAccepted,
      ticksRejected: this.sink.ticksRejected,
      ticksQuarantined: this.screens.reduce((n, screen) => n + screen.quarantined, 0),
      lastTickAt: s.lastTickAt,
      reconnects: s.reconnects,
      gaps: this.gapReport.gaps(),
      latest: this.latest?.latest ?? NO_LATEST,
    };
  }

  /** The instruments followed now: the subscription's, plus those added, less those removed. */
  tokens(): InstrumentToken[] {
    return [...this.followed];
  }

  /** Runs until `signal` aborts or the feed ends, then waits for every publish in flight. */
  async run(subscription: Subscription, signal: AbortSignal): Promise<void> {
    for (const t of subscription.tokens) this.followed.add(t);
    const beat = setInterval(() => this.beat(), BEAT_MS);
    beat.unref();
    try {
      for await (const message of this.feed.messages(subscription, signal)) {
        const waiting = this.entry(message);
        if (waiting !== undefined) await waiting;
      }
    } finally {
      clearInterval(beat);
      this.status.ended();
      await this.sink.drain();
    }
  }

  /** One beat down the path now (the loop sends one every second; a test may send its own). */
  beat(): void {
    void this.pass({ kind: 'beat', at: this.clock.now() });
  }

  /**
   * Follows more instruments: every stage learns of them first, then the feed subscribes them.
   * Returns whether the feed took them (a source without subscriptions cannot).
   */
  add(tokens: readonly InstrumentToken[]): boolean {
    const added = [...new Set(tokens)].filter((t) => !this.followed.has(t));
    if (added.length === 0) return false;
    for (const t of added) this.followed.add(t);
    void this.pass({ kind: 'instruments', added, removed: [] });
    return this.feed.subscribe?.(added) ?? false;
  }

  /**
   * Stops following instruments: the feed unsubscribes them first, then every stage forgets them
   * (no gap is reported for them from here on). Returns whether the feed could unsubscribe.
   */
  remove(tokens: readonly InstrumentToken[]): boolean {
    const removed = [...new Set(tokens)].filter((t) => this.followed.has(t));
    if (removed.length === 0) return false;
    for (const t of removed) this.followed.delete(t);
    const unsubscribed = this.feed.unsubscribe?.(removed) ?? false;
    void this.pass({ kind: 'instruments', added: [], removed });
    return unsubscribed;
  }

  /** Sends a message of the path's own down it, from the start; only a ticks message could make it wait. */
  private pass(message: LiveMessage): void | Promise<void> {
    return this.entry(message);
  }
}
