import type { MarketSession } from '../domain/market-session.ts';
import type { ValidationRules } from '../domain/tick-validation.ts';
import type { Logger } from '../ports/logger/logger.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { RecordPublisher } from '../ports/record-publisher.ts';
import { TickScreen } from './trust/tick-screen.ts';

/**
 * The validating screen live runs, for a replay: the same rules from the same settings, so what
 * the live run quarantined the replay quarantines too and the sink gets what live published. Every
 * tick a replay source yields was subscribed (sessions keep only their subscribed tokens), so any
 * token passes. Quarantined ticks go to `quarantine`: the quarantine topic when the replay goes
 * into Kafka; into a file or stdout, a publisher that only lets them be counted and logged.
 */
export const makeReplayScreen = (
  deps: {
    readonly quarantine: RecordPublisher;
    readonly session: MarketSession;
    readonly logger: Logger;
    readonly metrics: Metrics;
  },
  rules: ValidationRules,
): TickScreen => new TickScreen(deps, { tokens: 'any', rules });
