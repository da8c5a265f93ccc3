import type { Container } from 'inversify';
import { systemClock } from '../../../adapters/system/system-clock.ts';
import { makeMarketSession, type MarketSession } from '../../../domain/market-session.ts';
import { ClockId, type Clock } from '../../../ports/clock.ts';
import { LoggerId, type Logger } from '../../../ports/logger/logger.ts';
import { MetricsId, type Metrics } from '../../../ports/metrics.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { MarketSessionId, ServiceConfigId } from './tokens.ts';

export interface BaseInputs {
  readonly config: ServiceConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The system clock unless given (tests fix it). */
  readonly clock?: Clock;
  /** From EXTRA_HOLIDAYS unless given. */
  readonly session?: MarketSession;
}

/** What every mode binds: its configuration, logger, metrics, clock and market calendar. */
export const bindBase = (c: Container, inputs: BaseInputs): void => {
  c.bind(ServiceConfigId).toConstantValue(inputs.config);
  c.bind(LoggerId).toConstantValue(inputs.logger);
  c.bind(MetricsId).toConstantValue(inputs.metrics);
  c.bind(ClockId).toConstantValue(inputs.clock ?? systemClock);
  c.bind(MarketSessionId).toConstantValue(
    inputs.session ?? makeMarketSession({ extraHolidays: inputs.config.app.extraHolidays }),
  );
};
