import { Container } from 'inversify';
import { RedisCommandBus } from '../../../adapters/redis/redis-command-bus.ts';
import type { MarketSession } from '../../../domain/market-session.ts';
import type { Clock } from '../../../ports/clock.ts';
import { CommandBusId, type CommandBus } from '../../../ports/command-bus/command-bus.ts';
import { LoggerId, type Logger } from '../../../ports/logger/logger.ts';
import { MetricsId, type Metrics } from '../../../ports/metrics.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { bindBase } from './base-bindings.ts';
import { bindBackfillLog } from './event-log-bindings.ts';

export interface BackfillInputs {
  readonly config: ServiceConfig;
  readonly logger: Logger;
  /** The parent's registry: the stages' metrics are folded into it. */
  readonly metrics: Metrics;
  readonly clock?: Clock;
  readonly session?: MarketSession;
  /** The live service's command bus, shared; without it the backfill has a Redis bus of its own. */
  readonly bus?: CommandBus;
}

/**
 * The backfill's parent side (`tickflow backfill`, and the coordinator inside `live`): the plans'
 * event log and the command bus. The stages' adapters are in the stage container.
 */
export const buildBackfillContainer = (inputs: BackfillInputs): Container => {
  const { config } = inputs;
  const c = new Container({ defaultScope: 'Singleton' });
  bindBase(c, inputs);
  bindBackfillLog(c, config);
  if (inputs.bus === undefined) {
    c.bind(CommandBusId).toResolvedValue(
      (logger: Logger, metrics: Metrics) => new RedisCommandBus(config.redis, { logger, metrics }),
      [LoggerId, MetricsId],
    );
  } else c.bind(CommandBusId).toConstantValue(inputs.bus);
  return c;
};
