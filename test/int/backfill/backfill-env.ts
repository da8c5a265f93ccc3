import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { either as E } from 'fp-ts';
import { decodeServiceConfig, type ServiceConfig } from '../../../src/app/root/config/service-config.ts';
import type { RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import {
  DEMO_API_KEY,
  DEMO_PASSWORD,
  DEMO_TOTP_SECRET,
  DEMO_USER,
} from '../../../src/simulator/simulator-options.ts';

/**
 * The environment a backfill (parent and stages) runs with against the simulator and the test
 * bed's Kafka and Redis: a fresh topic, channel and data folder each time.
 */
export const backfillEnv = (
  sim: RunningSimulator,
  broker: string,
  redisUrl: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> => {
  const id = randomUUID().slice(0, 8);
  return {
    PATH: process.env['PATH'] ?? '',
    MSTOCK_USER: DEMO_USER,
    MSTOCK_PASS: DEMO_PASSWORD,
    MSTOCK_API_KEY: DEMO_API_KEY,
    MSTOCK_TOTP_SECRET: DEMO_TOTP_SECRET,
    MSTOCK_API_URL: sim.url,
    MSTOCK_HISTORY_RATE_PER_SECOND: '0',
    KAFKA_BROKER: broker,
    TICK_TOPIC: `backfill-${id}`,
    KAFKA_TOPIC_PARTITIONS: '3',
    REDIS_URL: redisUrl,
    REDIS_COMMAND_CHANNEL: `commands-${id}`,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-backfill-')),
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    BACKFILL_CHILD_HANG_MS: '10000',
    ...extra,
  };
};

export const configOf = (env: Readonly<Record<string, string>>): ServiceConfig => {
  const decoded = decodeServiceConfig(env, 'backfill');
  if (E.isLeft(decoded)) throw new Error(decoded.left.join('; '));
  return decoded.right;
};
