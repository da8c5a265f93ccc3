import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { RedisCommandBus } from '../../../src/adapters/redis/redis-command-bus.ts';
import {
  REDIS_COMMAND_BUS_DEFAULTS,
  type RedisCommandBusSettings,
} from '../../../src/adapters/redis/redis-settings.ts';

export interface BusFixture {
  readonly bus: RedisCommandBus;
  readonly logger: MemoryLogger;
  readonly metrics: MemoryMetrics;
  readonly settings: RedisCommandBusSettings;
}

/** A Redis command bus on a fresh channel, with a logger and metrics to read back. */
export const makeBus = (url: string, overrides: Partial<RedisCommandBusSettings> = {}): BusFixture => {
  const settings: RedisCommandBusSettings = {
    ...REDIS_COMMAND_BUS_DEFAULTS,
    url,
    channel: `commands-${randomUUID()}`,
    heartbeatMs: 1000,
    ...overrides,
  };
  const logger = new MemoryLogger();
  const metrics = new MemoryMetrics();
  return { bus: new RedisCommandBus(settings, { logger, metrics }), logger, metrics, settings };
};

/** A plain client, as an operator's `redis-cli` would be. */
export const rawClient = (url: string, options: { username?: string; password?: string } = {}): Redis =>
  new Redis(url, { ...options, lazyConnect: true, maxRetriesPerRequest: 3 });
