import { either as E } from 'fp-ts';
import { describeCollisions, onePerToken } from '../../../domain/instrument-selection.ts';
import { instrumentOfMaster, type MasterInstrument } from '../../../domain/master-instrument.ts';
import { MstockInstrumentMaster } from '../../../adapters/instruments/mstock-instrument-master.ts';
import { ConsoleLogger } from '../../../adapters/logging/console-logger.ts';
import { MemoryMetrics } from '../../../adapters/memory/memory-metrics.ts';
import { createMstockAdapters } from '../../../adapters/mstock/create-mstock-adapters.ts';
import { mstockSettings } from '../../../adapters/mstock/mstock-settings.ts';
import { systemClock } from '../../../adapters/system/system-clock.ts';
import { formatQueryError, type InstrumentQuery } from '../../../domain/instrument-query.ts';
import { parseInstrumentQuery } from '../../../domain/instrument-query-parse.ts';
import { selectInstruments } from '../../../domain/instrument-query-select.ts';
import { istDateOf } from '../../../domain/ist.ts';
import type { InstrumentMasterSnapshot } from '../../../ports/instrument-master.ts';
import { decodeConfig, type AppConfig } from '../config/app-config.ts';
import { mstockCredentialsOf } from '../container/mstock-bindings.ts';
import { USAGE_EXIT_CODE, refuseArgs, type Command } from './command.ts';
import { integerFlag, readArgs } from './flags.ts';
import { renderSelection, selectionJson } from './instruments-output.ts';
import { terminalOtpPrompt } from './otp-prompt.ts';

const HELP = `tickflow instruments [--query '<query>'] [--limit <n>] [--json]

Prints what an instrument query selects from the m.Stock instrument master: how many instruments,
per segment, and the first rows. Starts nothing else (no Kafka, no Redis): it logs in as
\`tickflow live\` does (MSTOCK_* settings), downloads the master once a day into DATA_DIR/instruments
(or reuses today's copy) and evaluates the query.

  --query <q>   the query (default: INSTRUMENTS_QUERY), e.g.
                  'segment=NFO-OPT name=NIFTY expiry=nearest strike>=21000 strike<=22000'
                  'exchange=NSE instrument_type=EQ; segment=INDICES'
                filters column<op>value AND'ed, queries separated by ';' OR'ed; ops = != < <= > >=;
                = and != take lists (name=NIFTY,BANKNIFTY) and * wildcards; expiry=nearest|next
                is each underlying's nearest (next) expiry. Columns: the master's CSV names.
  --limit <n>   rows to print (default 20; 0: only the counts)
  --json        print one JSON object instead of the table`;

interface InstrumentsArgs {
  readonly query: string | undefined;
  readonly limit: number;
  readonly json: boolean;
}

const parseFlags = (args: readonly string[]): E.Either<readonly string[], InstrumentsArgs> => {
  const { parsed, problems } = readArgs(args, { values: ['--query', '--limit'], switches: ['--json'] });
  const limit = integerFlag('--limit', parsed.values['--limit'], { min: 0 });
  if (E.isLeft(limit)) return E.left([...problems, limit.left]);
  if (problems.length > 0) return E.left(problems);
  return E.right({
    query: parsed.values['--query'],
    limit: limit.right ?? 20,
    json: parsed.switches.has('--json'),
  });
};

/** The query's errors, each with the query under it and a caret at its position. */
const parseQuery = (text: string): E.Either<readonly string[], InstrumentQuery> => {
  const q = parseInstrumentQuery(text);
  if (E.isRight(q)) return q;
  return E.left(
    q.left.flatMap((e) => [
      `bad query ${formatQueryError(e)}`,
      `  ${text}`,
      `  ${' '.repeat(e.position - 1)}^`,
    ]),
  );
};

/** The master, through the m.Stock adapters and a login of their own, as `live` logs in. */
const loadMaster = async (
  a: AppConfig,
  signal: AbortSignal,
): Promise<E.Either<string, InstrumentMasterSnapshot>> => {
  const credentials = mstockCredentialsOf(a);
  if (credentials === undefined) return E.left('MSTOCK_USER, MSTOCK_PASS and MSTOCK_API_KEY are required');
  // Logs go to stderr: stdout is the answer (and, with --json, a document).
  const logger = new ConsoleLogger({ level: a.logLevel, format: 'human', out: process.stderr });
  const { client, session, masker } = createMstockAdapters({
    credentials,
    settings: mstockSettings({ apiUrl: a.mstockApiUrl }),
    clock: systemClock,
    logger,
    metrics: new MemoryMetrics(),
    ...(process.stdin.isTTY ? { promptOtp: terminalOtpPrompt } : {}),
  });
  const master = new MstockInstrumentMaster({
    client,
    session,
    dataDir: a.dataDir,
    clock: systemClock,
    logger,
  });
  try {
    return E.right(await master.load({ signal }));
  } catch (e) {
    return E.left(masker.mask(e instanceof Error ? e.message : String(e)));
  } finally {
    session.close();
  }
};

/** What `tickflow live` would make of this selection: one exchange per token, and whether it fits the sockets. */
const whatLiveWouldFollow = (
  selected: readonly MasterInstrument[],
  config: { readonly maxInstrumentsPerSocket: number; readonly maxSockets: number },
) => {
  const { kept, collisions } = onePerToken(selected.map(instrumentOfMaster));
  const capacity = config.maxInstrumentsPerSocket * config.maxSockets;
  return {
    instruments: kept.length,
    leftOutOnSecondExchange: collisions.length,
    sockets: Math.max(1, Math.ceil(kept.length / config.maxInstrumentsPerSocket)),
    capacity,
    fits: kept.length <= capacity,
    note:
      kept.length > capacity
        ? `tickflow live would refuse this selection: ${kept.length} instruments, more than MSTOCK_MAX_INSTRUMENTS_PER_SOCKET (${config.maxInstrumentsPerSocket}) x MSTOCK_MAX_SOCKETS (${config.maxSockets}) = ${capacity}`
        : `tickflow live would follow ${kept.length} instruments over ${Math.max(1, Math.ceil(kept.length / config.maxInstrumentsPerSocket))} socket(s) of at most ${config.maxInstrumentsPerSocket}` +
          (collisions.length === 0
            ? ''
            : ` (${collisions.length} listed on a second exchange left out: ${describeCollisions(collisions, 3)})`),
  };
};

/** Flags, query and settings checked before anything connects (exit 2), then the master, then the answer. */
const runInstruments = async (args: readonly string[]): Promise<number> => {
  const flags = parseFlags(args);
  if (E.isLeft(flags)) return refuseArgs('instruments', flags.left);
  // A query given on the command line is checked before anything else, settings included.
  const given = flags.right.query === undefined ? undefined : parseQuery(flags.right.query);
  if (given !== undefined && E.isLeft(given)) return refuseArgs('instruments', given.left);
  const config = decodeConfig(process.env, 'live');
  if (E.isLeft(config)) {
    for (const line of config.left) process.stderr.write(`tickflow instruments: ${line}\n`);
    return USAGE_EXIT_CODE;
  }
  const text = flags.right.query ?? config.right.instrumentsQuery;
  if (text === undefined) return refuseArgs('instruments', ['give --query (or set INSTRUMENTS_QUERY)']);
  const query = given ?? parseQuery(text);
  if (E.isLeft(query)) return refuseArgs('instruments', query.left);

  const ending = new AbortController();
  const stop = (): void => ending.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const snapshot = await loadMaster(config.right, ending.signal);
    if (E.isLeft(snapshot)) {
      process.stderr.write(`tickflow instruments: ${snapshot.left}\n`);
      return 1;
    }
    const selected = selectInstruments(query.right, snapshot.right.instruments, istDateOf(systemClock.now()));
    const { limit, json } = flags.right;
    const live = whatLiveWouldFollow(selected, config.right);
    process.stdout.write(
      json
        ? `${JSON.stringify({ ...selectionJson(text, snapshot.right, selected, limit), live })}\n`
        : `${renderSelection(text, snapshot.right, selected, limit)}${live.note}\n`,
    );
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
};

export const instrumentsCommand: Command = {
  name: 'instruments',
  summary: 'print what an instrument query selects from the m.Stock instrument master',
  help: HELP,
  run: runInstruments,
};
