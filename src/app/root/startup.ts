import { either as E } from 'fp-ts';
import { ConsoleLogger } from '../../adapters/logging/console-logger.ts';
import type { Instrument } from '../../domain/instrument.ts';
import { formatQueryError, type InstrumentQuery } from '../../domain/instrument-query.ts';
import { parseInstrumentQuery } from '../../domain/instrument-query-parse.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Mode } from './config/app-config.ts';
import { decodeServiceConfig, type ServiceConfig } from './config/service-config.ts';
import type { Env } from './config/setting.ts';
import { resolveInstruments } from './resolve-instruments.ts';

/**
 * What to follow: a fixed list (INSTRUMENTS_FILE, narrowed by INSTRUMENTS), or INSTRUMENTS_QUERY,
 * evaluated on the broker's instrument master once the service can reach the broker.
 */
export type InstrumentChoice =
  | { readonly kind: 'list'; readonly instruments: readonly Instrument[] }
  | { readonly kind: 'query'; readonly query: InstrumentQuery };

export interface Startup {
  readonly config: ServiceConfig;
  readonly instruments: InstrumentChoice;
  readonly logger: Logger;
}

/** INSTRUMENTS_QUERY parsed, or one line per problem, each naming the setting and the position. */
const chooseInstruments = async (
  config: ServiceConfig,
): Promise<E.Either<readonly string[], InstrumentChoice>> => {
  const a = config.app;
  if (a.instrumentsQuery === undefined) {
    const listed = await resolveInstruments(a);
    return E.map((instruments: readonly Instrument[]): InstrumentChoice => ({ kind: 'list', instruments }))(
      listed,
    );
  }
  if (a.instruments !== undefined)
    return E.left(['INSTRUMENTS and INSTRUMENTS_QUERY are both set: set one (a token list, or a query)']);
  const parsed = parseInstrumentQuery(a.instrumentsQuery);
  return E.isLeft(parsed)
    ? E.left(parsed.left.map((e) => `INSTRUMENTS_QUERY: ${formatQueryError(e)}`))
    : E.right({ kind: 'query', query: parsed.right });
};

/**
 * Decodes the configuration and the instrument choice before anything connects. On a bad value it
 * prints one line per bad variable to stderr and returns undefined: the caller exits with 2.
 */
export const startup = async (env: Env, mode: Mode, command: string): Promise<Startup | undefined> => {
  const config = decodeServiceConfig(env, mode, process.cwd());
  if (E.isLeft(config)) {
    for (const line of config.left) process.stderr.write(`tickflow ${command}: ${line}\n`);
    return undefined;
  }
  const instruments = await chooseInstruments(config.right);
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
