import type { TradingDay } from '../../domain/market-session.ts';
import type { ReconciliationReport } from '../../domain/reconciliation.ts';
import type { BarBuilder } from '../trust/bar-builder.ts';
import type { ReconciliationReporter } from '../trust/reconciliation-reporter.ts';
import type { Reconciler } from '../trust/reconciler.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Pass, Stage } from './live-message.ts';

/** 1-minute bars (bar-builder.ts) from the ticks that passed; each beat completes the bars whose minute is over. */
export const barStage = (bars: BarBuilder): Stage => ({
  name: 'bars',
  connect: (next) => (message) => {
    if (message.kind === 'ticks') bars.observe(message);
    else if (message.kind === 'beat') bars.flush();
    else if (message.kind === 'instruments') bars.forget(message.removed);
    return next(message);
  },
});

/**
 * The reconciliation after the close (reconciler.ts): connects, drops and every gap that reaches
 * it (the feed's and the silences found before it) bound the minutes it judges. On the beat after
 * the broker's bars are final it runs, and its reports go on down the path as a `reconciled` message.
 */
export class ReconcileStage implements Stage {
  readonly name = 'reconcile';
  private readonly reconciler: Reconciler;
  private next: Pass = () => undefined;
  private readonly reconciled = (day: TradingDay, reports: readonly ReconciliationReport[]): void =>
    void this.next({ kind: 'reconciled', day, reports });

  constructor(reconciler: Reconciler) {
    this.reconciler = reconciler;
  }

  connect(next: Pass): Pass {
    this.next = next;
    return (message) => {
      const kind = message.kind;
      if (kind === 'beat') this.reconciler.check(this.reconciled);
      else if (kind === 'instruments') this.reconciler.follow(message.added, message.removed);
      // Connects, drops and gaps bound the minutes it judges; the bars hold the ticks.
      else if (kind !== 'ticks' && kind !== 'reconciled') this.reconciler.observe(message);
      return next(message);
    };
  }
}

/**
 * Consumes each `reconciled` message: the reporter sets the gauges, logs, and appends the events
 * to the event log (in the background: the path does not wait for the log).
 */
export class ReconciliationReportStage implements Stage {
  readonly name = 'reconciliation-report';
  private readonly reporter: ReconciliationReporter;
  private readonly logger: Logger;
  private readonly pending = new Set<Promise<void>>();

  constructor(reporter: ReconciliationReporter, logger: Logger) {
    this.reporter = reporter;
    this.logger = logger;
  }

  connect(next: Pass): Pass {
    return (message) => {
      if (message.kind === 'reconciled') this.report(message.day, message.reports);
      return next(message);
    };
  }

  /** Resolves when every report handed over so far is on record (or failed, logged). */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  private report(day: TradingDay, reports: readonly ReconciliationReport[]): void {
    const reporting: Promise<void> = this.reporter
      .report(day, reports)
      .catch((e: unknown) => {
        this.logger.error('Reconciliation failed', {
          day,
          error: e instanceof Error ? e.message : String(e),
        });
      })
      .finally(() => this.pending.delete(reporting));
    this.pending.add(reporting);
  }
}
