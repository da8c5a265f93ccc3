import type { TradingDay } from '../../domain/market-session.ts';
import { reconciliationEvents, type ReconciliationEvent } from '../../domain/reconciliation-events.ts';
import type { ReconciliationReport } from '../../domain/reconciliation.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventLog } from '../../ports/event-log/event-log.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';

export const RECONCILIATION_STREAM = 'reconciliation';

/**
 * What a finished reconciliation (reconciler.ts) leaves behind: gauges per token
 * (`reconciliation_missing_minutes`, `reconciliation_volume_delta`,
 * `reconciliation_ohlc_mismatches`), a log line per instrument that differs, one for the session,
 * and the differences as events in the event log.
 */
export class ReconciliationReporter {
  private readonly deps: {
    readonly metrics: Metrics;
    readonly logger: Logger;
    readonly clock: Clock;
    /** Where the differences are kept as events (stream `reconciliation`); none: metrics and logs only. */
    readonly log?: EventLog<ReconciliationEvent>;
  };

  constructor(deps: ReconciliationReporter['deps']) {
    this.deps = deps;
  }

  async report(day: TradingDay, reports: readonly ReconciliationReport[]): Promise<void> {
    const { metrics, logger } = this.deps;
    for (const report of reports) {
      const labels = { token: report.token };
      metrics
        .gauge(
          'reconciliation_missing_minutes',
          'Minutes the broker traded with no live bar (last session)',
          labels,
        )
        .set(report.missingLive);
      metrics
        .gauge('reconciliation_volume_delta', 'Sum of |live − broker| minute volumes (last session)', labels)
        .set(report.volumeDelta);
      metrics
        .gauge('reconciliation_ohlc_mismatches', 'Live bar prices off the broker’s (last session)', labels)
        .set(report.ohlcMismatches);
      if (report.differences.length > 0)
        logger.warn('Live bars differ from the broker’s candles', {
          token: report.token,
          day,
          missingLive: report.missingLive,
          missingBroker: report.missingBroker,
          volumeDelta: report.volumeDelta,
          ohlcMismatches: report.ohlcMismatches,
        });
    }
    logger.info('Reconciliation done', {
      day,
      instruments: reports.length,
      differing: reports.filter((r) => r.differences.length > 0).length,
    });
    await this.deps.log?.append(
      RECONCILIATION_STREAM,
      reconciliationEvents(day, [...reports], this.deps.clock.now()),
      'any',
    );
  }
}
