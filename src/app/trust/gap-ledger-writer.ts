import type { FeedGap } from '../../domain/feed-events.ts';
import {
  gapIdOf,
  gapLedger,
  isLedgerRefusal,
  openGaps,
  type GapFillHow,
  type GapId,
  type GapLedgerCommand,
  type GapLedgerEvent,
  type GapLedgerState,
} from '../../domain/gap-ledger.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventLog } from '../../ports/event-log.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Counter, Gauge, Metrics } from '../../ports/metrics.ts';
import type { ControlRecord, RecordPublisher } from '../../ports/record-publisher.ts';

export const GAP_STREAM = 'gaps';

/** What became of a gap handed to the backfill. `failed` leaves it open for the next run. */
export type GapFillOutcome =
  | { readonly kind: 'filled'; readonly how: GapFillHow }
  | { readonly kind: 'failed'; readonly reason: string };

/** Hands a gap to the backfill and resolves when it is filled or has failed; may never resolve (stop). */
export type GapFiller = (gap: FeedGap) => Promise<GapFillOutcome>;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The `market_gaps` records of one ledger event: one per token, keyed by it, so consumers see their own. */
export const gapRecords = (event: GapLedgerEvent, gap: FeedGap): ControlRecord[] =>
  gap.tokens.map((token) => ({
    key: token,
    value: JSON.stringify(
      event.type === 'FeedGapOpened'
        ? {
            event: event.type,
            gapId: event.data.gapId,
            token,
            from: gap.from,
            to: gap.to,
            cause: gap.cause,
            tokens: gap.tokens.length,
            at: event.data.at,
          }
        : {
            event: event.type,
            gapId: event.data.gapId,
            token,
            from: gap.from,
            to: gap.to,
            cause: gap.cause,
            how: event.data.how,
            at: event.data.at,
          },
    ),
  }));

/**
 * The gap ledger's writer: every gap reported becomes `FeedGapOpened` in the event log (stream
 * `gaps`) and records on `market_gaps`; it is then handed to the backfill, and when that fills
 * it, `GapFilled` closes it in both places. Commands run one at a time against the folded stream
 * with expected versions. At start, `resume` folds the stream and hands every open gap back.
 * Nothing here throws into the feed loop: failures are logged and counted, and the gap stays open.
 */
export class GapLedgerWriter {
  private readonly deps: {
    readonly log: EventLog<GapLedgerEvent>;
    readonly publisher: RecordPublisher;
    readonly fill: GapFiller;
    readonly clock: Clock;
    readonly logger: Logger;
  };
  private state: GapLedgerState = gapLedger.initialState;
  private version = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly opened: Counter;
  private readonly filled: Counter;
  private readonly failed: Counter;
  private readonly openGauge: Gauge;

  constructor(deps: {
    readonly log: EventLog<GapLedgerEvent>;
    readonly publisher: RecordPublisher;
    readonly fill: GapFiller;
    readonly clock: Clock;
    readonly logger: Logger;
    readonly metrics: Metrics;
  }) {
    this.deps = deps;
    const m = deps.metrics;
    this.opened = m.counter('gaps_opened_total', 'Gaps recorded in the gap ledger');
    this.filled = m.counter('gaps_filled_total', 'Gaps closed: backfilled, or nothing to fill');
    this.failed = m.counter(
      'gap_ledger_failures_total',
      'Ledger writes or gap fills that failed (the gap stays open)',
    );
    this.openGauge = m.gauge('gaps_open', 'Gaps recorded and not yet filled');
  }

  /** Folds the ledger and hands every open gap back to the backfill; returns how many. */
  async resume(): Promise<number> {
    await this.serial(async () => {
      const stored = await this.deps.log.read(GAP_STREAM);
      this.state = stored.reduce((s, e) => gapLedger.evolve(s, e.event), gapLedger.initialState);
      this.version = stored.at(-1)?.version ?? 0;
    });
    const open = openGaps(this.state);
    this.openGauge.set(open.length);
    if (open.length > 0) this.deps.logger.info('Resuming open gaps from the ledger', { gaps: open.length });
    for (const { gapId, gap } of open) this.startFill(gapId, gap);
    return open.length;
  }

  /** Records a gap and starts its fill; for `IngestSettings.onGap`. Never throws. */
  record(gap: FeedGap): void {
    const gapId = gapIdOf(gap);
    this.serial(async () => {
      const opened = await this.apply({ type: 'OpenGap', gap, at: this.deps.clock.now() }, gap);
      if (opened) {
        this.opened.inc();
        this.startFill(gapId, gap);
      }
    }).catch((e: unknown) => this.fail('Could not record a gap in the ledger', gapId, e));
  }

  /** The folded ledger, for status and tests. */
  snapshot(): GapLedgerState {
    return this.state;
  }

  /** Resolves when every ledger write asked for so far is done. */
  async idle(): Promise<void> {
    await this.chain;
  }

  private startFill(gapId: GapId, gap: FeedGap): void {
    this.deps.fill(gap).then(
      (outcome) => {
        if (outcome.kind === 'failed') {
          this.fail('Gap backfill failed; the gap stays open', gapId, outcome.reason);
          return;
        }
        this.serial(async () => {
          if (
            await this.apply({ type: 'MarkFilled', gapId, how: outcome.how, at: this.deps.clock.now() }, gap)
          )
            this.filled.inc();
        }).catch((e: unknown) => this.fail('Could not close a gap in the ledger', gapId, e));
      },
      (e: unknown) => this.fail('Gap backfill failed; the gap stays open', gapId, e),
    );
  }

  /** Decides, appends, folds, publishes; false when the ledger refused (already done). */
  private async apply(command: GapLedgerCommand, gap: FeedGap): Promise<boolean> {
    const result = gapLedger.decide(command, this.state);
    if (isLedgerRefusal(result)) {
      this.deps.logger.debug('Gap ledger: nothing to do', { reason: result.reason });
      return false;
    }
    const { version } = await this.deps.log.append(
      GAP_STREAM,
      result,
      this.version === 0 ? 'no-stream' : this.version,
    );
    this.version = version;
    this.state = result.reduce(gapLedger.evolve, this.state);
    this.openGauge.set(openGaps(this.state).length);
    // The event log is the record; the topic is its announcement, retried by the publisher.
    for (const event of result)
      this.deps.publisher
        .publish(gapRecords(event, gap))
        .catch((e: unknown) => this.fail('Gap record not delivered to the gap topic', event.data.gapId, e));
    return true;
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private fail(message: string, gapId: GapId, e: unknown): void {
    this.failed.inc();
    this.deps.logger.error(message, { gap: gapId, error: typeof e === 'string' ? e : errorText(e) });
  }
}
