import type { InstrumentToken } from '../../domain/instrument.ts';
import type { ReconciliationReport } from '../../domain/reconciliation.ts';
import type { TradingDay } from '../../domain/market-session.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { FeedMessage } from '../../ports/broker-feed.ts';

/**
 * What travels down the live path: the feed's own messages, plus what the path itself says. A
 * `beat` comes once a second (the stages' timed work: silence, subscriptions, bars, the age
 * gauges); `instruments` tells every stage that tokens were added or removed while running;
 * `reconciled` carries a finished reconciliation to whatever consumes it. A gap a stage finds is
 * a `gap` message like the feed's, so the stages after it (counters, log, ledger) treat both alike.
 */
export type LiveMessage =
  | FeedMessage
  | { readonly kind: 'beat'; readonly at: EpochMs }
  | {
      readonly kind: 'instruments';
      readonly added: readonly InstrumentToken[];
      readonly removed: readonly InstrumentToken[];
    }
  | {
      readonly kind: 'reconciled';
      readonly day: TradingDay;
      readonly reports: readonly ReconciliationReport[];
    };

/**
 * A stage's entry: takes one message and passes on what goes further through the next stage's
 * entry. It returns the promise of the sink's back-pressure when a ticks message made the sink
 * wait, so the loop that feeds the path waits too; otherwise nothing.
 */
export type Pass = (message: LiveMessage) => void | Promise<void>;

/** One step of the live path. `connect` runs once, when the chain is built, with the stage after it. */
export interface Stage {
  readonly name: string;
  connect(next: Pass): Pass;
}
