import type { MarketSession } from '../../domain/market-session.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { Stage } from './live-message.ts';

/**
 * `market_open`: 1 while the NSE session is open by tickflow's calendar (exchange holidays and
 * special sessions included), refreshed on each beat. Alert rules take "market hours" from it:
 * Prometheus's own clock knows weekdays and hours but not an exchange holiday.
 */
export const marketOpenStage = (deps: {
  readonly session: MarketSession;
  readonly metrics: Metrics;
  readonly now: EpochMs;
}): Stage => {
  const gauge = deps.metrics.gauge(
    'market_open',
    "1 while the NSE session is open by tickflow's calendar (holidays included)",
  );
  const set = (at: EpochMs): void => gauge.set(deps.session.isOpen(at) ? 1 : 0);
  set(deps.now);
  return {
    name: 'market-open',
    connect: (next) => (message) => {
      if (message.kind === 'beat') set(message.at);
      return next(message);
    },
  };
};
