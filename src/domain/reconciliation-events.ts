import type { InstrumentToken } from './instrument.ts';
import type { TradingDay } from './market-session.ts';
import type { ReconciliationReport } from './reconciliation.ts';
import type { EpochMs } from './units.ts';

/** At most this many differences are kept in one event; the counts always cover all of them. */
export const MAX_DIFFERENCES_PER_EVENT = 100;

/**
 * What a reconciliation leaves on record (event log stream `reconciliation`): one `BarsDiffered`
 * per instrument whose live bars disagree with the broker's, then `SessionReconciled` for the day.
 */
export type ReconciliationEvent =
  | {
      readonly type: 'BarsDiffered';
      /** The instrument's report, its differences cut to the first MAX_DIFFERENCES_PER_EVENT. */
      readonly data: ReconciliationReport & { readonly day: TradingDay; readonly at: EpochMs };
    }
  | {
      readonly type: 'SessionReconciled';
      readonly data: {
        readonly day: TradingDay;
        readonly instruments: number;
        readonly differing: readonly InstrumentToken[];
        readonly at: EpochMs;
      };
    };

export const reconciliationEvents = (
  day: TradingDay,
  reports: readonly ReconciliationReport[],
  at: EpochMs,
): ReconciliationEvent[] => {
  const differing = reports.filter((r) => r.differences.length > 0);
  return [
    ...differing.map((r): ReconciliationEvent => ({
      type: 'BarsDiffered',
      data: {
        day,
        token: r.token,
        brokerMinutes: r.brokerMinutes,
        missingLive: r.missingLive,
        missingBroker: r.missingBroker,
        volumeDelta: r.volumeDelta,
        ohlcMismatches: r.ohlcMismatches,
        differences: r.differences.slice(0, MAX_DIFFERENCES_PER_EVENT),
        at,
      },
    })),
    {
      type: 'SessionReconciled',
      data: { day, instruments: reports.length, differing: differing.map((r) => r.token), at },
    },
  ];
};
