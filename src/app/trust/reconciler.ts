import type { Exchange, InstrumentToken } from '../../domain/instrument.ts';
import type { MarketSession, TradingDay } from '../../domain/market-session.ts';
import type { MinuteBar } from '../../domain/minute-bars.ts';
import type { FeedGap } from '../../domain/feed-events.ts';
import {
  reconcileBars,
  withoutGaps,
  type ReconciliationReport,
  type WatchSpan,
} from '../../domain/reconciliation.ts';
import { MS_PER_DAY, MS_PER_MINUTE, type EpochMs } from '../../domain/units.ts';
import type { FeedMessage } from '../../ports/broker-feed.ts';
import type { Clock } from '../../ports/clock.ts';
import type { HistoricalData } from '../../ports/historical-data.ts';
import type { Logger } from '../../ports/logger/logger.ts';

export interface ReconcilerDeps {
  readonly historical: HistoricalData;
  readonly bars: () => ReadonlyMap<string, readonly MinuteBar[]>;
  readonly session: MarketSession;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly exchangeOf: (token: InstrumentToken) => Exchange;
}

/**
 * After the close, once the broker's bars are final, compares each instrument's live minute bars
 * with the broker's candles (reconciliation.ts), over the minutes the feed was connected for whole.
 * Its reports go on to whoever consumes them (reconciliation-reporter.ts: gauges per token, a log
 * line per instrument that differs, events in the event log). This catches losses no disconnect
 * announced.
 */
export class Reconciler {
  private readonly deps: ReconcilerDeps;
  private readonly priceTolerance: number;
  /** The instruments compared: those followed now. */
  private readonly tokens: Set<InstrumentToken>;
  private readonly abort = new AbortController();
  private reconciled: TradingDay | undefined;
  private running: Promise<void> | undefined;
  /** When the feed was connected; the last one open while connected. */
  private spans: { from: EpochMs; to: EpochMs | undefined }[] = [];
  /** Gaps on record: their minutes are not judged again. */
  private gaps: FeedGap[] = [];

  constructor(
    deps: ReconcilerDeps,
    settings: { readonly tokens: readonly InstrumentToken[]; readonly priceTolerance: number },
  ) {
    this.deps = deps;
    this.priceTolerance = settings.priceTolerance;
    this.tokens = new Set(settings.tokens);
  }

  /** Instruments added to or removed from the running feed: the reconciliation compares those followed. */
  follow(added: readonly InstrumentToken[], removed: readonly InstrumentToken[]): void {
    for (const t of removed) this.tokens.delete(t);
    for (const t of added) this.tokens.add(t);
  }

  /** A gap on record (the feed's, or one the freshness monitor found): its minutes are not judged. */
  noteGap(gap: FeedGap): void {
    this.gaps.push(gap);
  }

  /** Feed it every feed message: connects and drops bound the minutes that can be judged. */
  observe(message: FeedMessage): void {
    if (message.kind === 'gap') this.noteGap(message.gap);
    if (message.kind === 'connected') {
      // Spans and gaps older than two days can no longer matter: the reconciliation runs the same evening.
      const horizon = message.at - 2 * MS_PER_DAY;
      this.spans = this.spans.filter((s) => s.to === undefined || s.to > horizon);
      this.gaps = this.gaps.filter((g) => g.to > horizon);
      if (this.spans.at(-1)?.to !== undefined || this.spans.length === 0)
        this.spans.push({ from: message.at, to: undefined });
    } else if (message.kind === 'disconnected') {
      const last = this.spans.at(-1);
      if (last !== undefined && last.to === undefined) last.to = message.at;
    }
  }

  /** The connected spans up to now. */
  private watched(): WatchSpan[] {
    const now = this.deps.clock.now();
    return this.spans.map((s) => ({ from: s.from, to: s.to ?? now }));
  }

  async reconcileDay(day: TradingDay, signal?: AbortSignal): Promise<ReconciliationReport[]> {
    const { historical, session } = this.deps;
    const w = session.sessionBounds(day);
    const bars = this.deps.bars();
    const spans = this.watched();
    const reports: ReconciliationReport[] = [];
    for (const token of [...this.tokens]) {
      const broker = await historical.candles(
        {
          token,
          exchange: this.deps.exchangeOf(token),
          interval: 'minute',
          from: w.open,
          to: (w.close - MS_PER_MINUTE) as EpochMs,
        },
        signal,
      );
      const live = (bars.get(token) ?? []).filter((b) => b.start >= w.open && b.start < w.close);
      // A gap's next minute is spared too: its live volume counts from the last tick before the gap.
      const announced = this.gaps
        .filter((g) => g.tokens.includes(token))
        .map((g) => ({ from: g.from, to: (g.to + MS_PER_MINUTE) as EpochMs }));
      const report = reconcileBars(
        token,
        live,
        broker,
        this.priceTolerance,
        announced.length === 0 ? spans : withoutGaps(spans, announced),
      );
      reports.push(report);
    }
    return reports;
  }

  /**
   * Called every second: once today's bars are final at the broker, reconciles today, once. A day
   * with no live bar at all (the service started after the close) is skipped: there is nothing to
   * compare, and reporting every minute missing would be noise.
   */
  check(reconciled?: (day: TradingDay, reports: readonly ReconciliationReport[]) => void): void {
    if (this.running !== undefined) return;
    const now = this.deps.clock.now();
    const day = this.deps.session.tradingDayOf(now);
    if (day === undefined || day === this.reconciled || now < this.deps.session.barsFinalAt(day)) return;
    this.reconciled = day;
    const w = this.deps.session.sessionBounds(day);
    const any = [...this.deps.bars().values()].some((list) =>
      list.some((b) => b.start >= w.open && b.start < w.close),
    );
    if (!any) {
      this.deps.logger.info('No live bars for the session: nothing to reconcile', { day });
      return;
    }
    this.running = this.reconcileDay(day, this.abort.signal)
      .then((reports) => reconciled?.(day, reports))
      .catch((e: unknown) =>
        this.deps.logger.error('Reconciliation failed', {
          day,
          error: e instanceof Error ? e.message : String(e),
        }),
      )
      .finally(() => {
        this.running = undefined;
      });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.running;
  }
}
