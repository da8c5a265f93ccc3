import type { FeedGap } from '../../domain/feed-events.ts';
import type { BarCoverage } from '../../domain/gap-coverage.ts';
import {
  gapIdOf,
  gapLedger,
  isLedgerRefusal,
  openGaps,
  type GapId,
  type GapLedgerCommand,
  type GapLedgerEvent,
  type GapLedgerState,
} from '../../domain/gap-ledger.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventLog } from '../../ports/event-log/event-log.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Gauge, Metrics } from '../../ports/metrics.ts';
import type { RecordPublisher } from '../../ports/record-publisher.ts';
import { gapRecords } from '../../ports/control-records/gap-record.ts';

export const GAP_STREAM = 'gaps';

/**
 * What became of a gap handed to the backfill: nothing to fill (no session minute in it), a
 * backfill with its coverage of the calendar, or a failure (the gap stays open for the next run).
 */
export type GapFillOutcome =
  | { readonly kind: 'nothing-to-fill' }
  | { readonly kind: 'backfilled'; readonly coverage: BarCoverage }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * Hands a gap to the backfill and resolves when it is done or has failed; may never resolve (stop).
 * `attempt` counts from 1; a later attempt asks again for bars a finished backfill came back short of,
 * so it must fetch afresh rather than take that backfill's word.
 */
export type GapFiller = (gap: FeedGap, attempt: number) => Promise<GapFillOutcome>;

export interface GapLedgerSettings {
  /** GAP_FILL_MAX_ATTEMPTS: backfills that may come back short before the gap is closed as short. */
  readonly maxAttempts: number;
  /** GAP_FILL_RETRY_MS: the wait before asking again for bars a backfill came back short of. */
  readonly retryDelayMs: number;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The gap ledger's writer: every gap reported becomes `FeedGapOpened` in the event log (stream
 * `gaps`) and records on the gap topic; it is then handed to the backfill. What the backfill brings
 * back is checked against the calendar: covered, `GapFilled` closes the gap; short, `GapFillShort`
 * is recorded and the short tokens are asked again after `retryDelayMs`, until `maxAttempts` short
 * answers close it as `short`. Commands run one at a time against the folded stream with expected
 * versions. At start, `resume` folds the stream and hands every open gap back (cut to the tokens
 * still short). Nothing here throws into the feed loop: failures are logged and counted, and the
 * gap stays open.
 */
export class GapLedgerWriter {
  private readonly deps: {
    readonly log: EventLog<GapLedgerEvent>;
    readonly publisher: RecordPublisher;
    readonly fill: GapFiller;
    readonly clock: Clock;
    readonly logger: Logger;
  };
  private readonly settings: GapLedgerSettings;
  private state: GapLedgerState = gapLedger.initialState;
  private version = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly retries = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly opened: Counter;
  private readonly filled: Counter;
  private readonly short: Counter;
  private readonly failed: Counter;
  private readonly openGauge: Gauge;

  constructor(
    deps: {
      readonly log: EventLog<GapLedgerEvent>;
      readonly publisher: RecordPublisher;
      readonly fill: GapFiller;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly metrics: Metrics;
    },
    settings: GapLedgerSettings,
  ) {
    this.deps = deps;
    this.settings = settings;
    const m = deps.metrics;
    this.opened = m.counter('gaps_opened_total', 'Gaps recorded in the gap ledger');
    this.filled = m.counter(
      'gaps_filled_total',
      'Gaps closed: backfilled, nothing to fill, or given up short',
    );
    this.short = m.counter(
      'gap_fills_short_total',
      'Gap backfills that brought fewer bars than the calendar holds (asked again, or closed as short)',
    );
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
    for (const { gapId, gap, shortAttempts } of open) {
      this.announceAgain(gapId);
      this.startFill(gapId, gap, shortAttempts + 1);
    }
    return open.length;
  }

  /** Records a gap and starts its fill; for `IngestSettings.onGap`. Never throws. */
  record(gap: FeedGap): void {
    void this.open(gap);
  }

  /**
   * Records a gap and starts its fill; resolves true once the gap is on record (now, or already
   * before), false when the ledger could not be written (logged and counted). Never rejects.
   */
  async open(gap: FeedGap): Promise<boolean> {
    const gapId = gapIdOf(gap);
    try {
      await this.serial(async () => {
        if (await this.apply({ type: 'OpenGap', gap, at: this.deps.clock.now() })) {
          this.opened.inc();
          this.startFill(gapId, gap, 1);
        }
      });
      return true;
    } catch (e) {
      this.fail('Could not record a gap in the ledger', gapId, e);
      return false;
    }
  }

  /** The folded ledger, for status and tests. */
  snapshot(): GapLedgerState {
    return this.state;
  }

  /** Resolves when every ledger write asked for so far is done. */
  async idle(): Promise<void> {
    await this.chain;
  }

  /** Cancels the waits before asking again; gaps still open stay so in the ledger, for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    await this.idle();
  }

  /**
   * Publishes an open gap's opening again: the last run may have stopped before the gap topic took
   * it (the event log had it first). The topic is at least once; consumers tell repeats by `gapId`.
   */
  private announceAgain(gapId: GapId): void {
    const known = this.state.gaps.get(gapId);
    if (known?.status !== 'open') return;
    const event: GapLedgerEvent = {
      type: 'FeedGapOpened',
      data: { gapId, ...known.gap, at: known.openedAt },
    };
    this.deps.publisher
      .publish(gapRecords(event, known.gap))
      .catch((e: unknown) => this.fail('Gap record not delivered to the gap topic', gapId, e));
  }

  private startFill(gapId: GapId, gap: FeedGap, attempt: number): void {
    if (this.closed) return;
    this.deps.fill(gap, attempt).then(
      (outcome) => {
        if (outcome.kind === 'failed') {
          this.fail('Gap backfill failed; the gap stays open', gapId, outcome.reason);
          return;
        }
        this.serial(() => this.settle(gapId, outcome)).catch((e: unknown) =>
          this.fail('Could not close a gap in the ledger', gapId, e),
        );
      },
      (e: unknown) => this.fail('Gap backfill failed; the gap stays open', gapId, e),
    );
  }

  private async settle(gapId: GapId, outcome: Exclude<GapFillOutcome, { kind: 'failed' }>): Promise<void> {
    const at = this.deps.clock.now();
    const command: GapLedgerCommand =
      outcome.kind === 'nothing-to-fill'
        ? { type: 'MarkNothingToFill', gapId, at }
        : {
            type: 'RecordCoverage',
            gapId,
            coverage: outcome.coverage,
            maxAttempts: this.settings.maxAttempts,
            at,
          };
    const events = await this.apply(command);
    if (events === undefined) return;
    for (const event of events) {
      if (event.type === 'GapFilled') this.filled.inc();
      if (event.type !== 'GapFillShort') continue;
      this.short.inc();
      this.deps.logger.warn('Gap backfill came back short of the calendar', {
        gap: gapId,
        attempt: event.data.attempt,
        expected: event.data.expected,
        received: event.data.received,
        tokens: event.data.tokens.join(','),
      });
    }
    const again = openGaps(this.state).find((g) => g.gapId === gapId);
    if (again !== undefined) this.retryLater(again.gapId, again.gap, again.shortAttempts + 1);
  }

  private retryLater(gapId: GapId, gap: FeedGap, attempt: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      this.startFill(gapId, gap, attempt);
    }, this.settings.retryDelayMs);
    timer.unref();
    this.retries.add(timer);
  }

  /** Decides, appends, folds, publishes; the events, or undefined when the ledger refused (already done). */
  private async apply(command: GapLedgerCommand): Promise<readonly GapLedgerEvent[] | undefined> {
    const result = gapLedger.decide(command, this.state);
    if (isLedgerRefusal(result)) {
      this.deps.logger.debug('Gap ledger: nothing to do', { reason: result.reason });
      return undefined;
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
    for (const event of result) {
      const gap = this.state.gaps.get(event.data.gapId)?.gap;
      if (gap === undefined) continue;
      this.deps.publisher
        .publish(gapRecords(event, gap))
        .catch((e: unknown) => this.fail('Gap record not delivered to the gap topic', event.data.gapId, e));
    }
    return result;
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
