import { either as E } from 'fp-ts';
import { ConsoleLogger } from '../../adapters/logging/console-logger.ts';
import type { Instrument } from '../../domain/instrument.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Mode } from './config/app-config.ts';
import { decodeServiceConfig, type ServiceConfig } from './config/service-config.ts';
import type { Env } from './config/setting.ts';
import { resolveInstruments } from './resolve-instruments.ts';

export interface Startup {
  readonly config: ServiceConfig;
  readonly instruments: readonly Instrument[];
  readonly logger: Logger;
}

/**
 * Decodes the configuration and the instrument list before anything connects. On a bad value it
 * prints one line per bad variable to stderr and returns undefined: the caller exits with 2.
 */
export const startup = async (env: Env, mode: Mode, command: string): Promise<Startup | undefined> => {
  const config = decodeServiceConfig(env, mode, process.cwd());
  if (E.isLeft(config)) {
    for (const line of config.left) process.stderr.write(`tickflow ${command}: ${line}\n`);
    return undefined;
  }
  const instruments = await resolveInstruments(config.right.app);
  if (E.isLeft(instruments)) {
    for (const line of instruments.left) process.stderr.write(`tickflow ${command}: ${line}\n`);
    return undefined;
  }
  const app = config.right.app;
  const format = app.logFormat === 'auto' ? (process.stdout.isTTY ? 'human' : 'json') : app.logFormat;
  return {
    config: config.right,
    instruments: instruments.right,
    logger: new ConsoleLogger({ level: app.logLevel, format }),
  };
};
