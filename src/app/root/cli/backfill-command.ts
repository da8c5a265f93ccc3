import { either as E } from 'fp-ts';
import { ConsoleLogger } from '../../../adapters/logging/console-logger.ts';
import { PrometheusMetrics } from '../../../adapters/prometheus/prometheus-metrics.ts';
import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from '../../../domain/candle.ts';
import { isInstrumentToken, type InstrumentToken } from '../../../domain/instrument.ts';
import type { Clock } from '../../../ports/clock.ts';
import { buildBackfillParent } from '../backfill-root.ts';
import { choosePlan, resolveRequest } from '../../backfill/plan-request.ts';
import { progressPrinter, type ProgressOut } from '../../backfill/progress-printer.ts';
import type { StageLauncher } from '../../../ports/backfill-stages/stage-process.ts';
import { PLAN_ID_PATTERN } from '../../../ports/wire-codecs.ts';
import { decodeServiceConfig } from '../config/service-config.ts';
import type { Env } from '../config/setting.ts';
import { expectedLine } from '../config/setting.ts';
import { refuseArgs, wantsHelp, type Command } from './command.ts';
import { integerFlag, readArgs } from './flags.ts';

const HELP = `Usage: tickflow backfill [--days N] [--tokens T1,T2,...] [--interval I] [--id ID]

Fetches the candles of the last N trading days whose bars are final, for the given instrument
tokens, from m.Stock, and publishes them to Kafka as ticks (source "backfill"), in the foreground.
Two child processes do the work: scripts/batch_nifty50 downloads, scripts/feed_kafka publishes.

  --days N        trading days (1-60; default BACKFILL_DAYS, 5)
  --tokens LIST   instrument tokens, comma-separated (default: INSTRUMENTS or INSTRUMENTS_FILE)
  --interval I    minute, 3minute, 5minute, 10minute, 15minute, 30minute, 60minute or day
                  (default BACKFILL_INTERVAL, minute)
  --id ID         the plan's id: a finished plan of that id is not run again. Without it, the
                  same request resumes its unfinished plan, or runs again once finished.

An interrupted backfill (Ctrl-C, a crash) resumes where it stopped when run again: chunks already
published are not sent again, chunks already downloaded are not fetched again.
Settings come from the environment (see tickflow live --check-config); MSTOCK_USER, MSTOCK_PASS and
MSTOCK_API_KEY are required, MSTOCK_TOTP_SECRET for an unattended login.
Exit codes: 0 done, 1 failed (see the log), 2 bad arguments or settings, 130 interrupted.`;

export interface BackfillArgs {
  readonly days?: number;
  readonly tokens?: readonly InstrumentToken[];
  readonly interval?: CandleInterval;
  readonly id?: string;
}

const isInterval = (s: string): s is CandleInterval => Object.hasOwn(CANDLE_INTERVAL_MINUTES, s);

/** `--name value` or `--name=value`; every problem is reported, one line each. */
export const parseBackfillArgs = (args: readonly string[]): E.Either<readonly string[], BackfillArgs> => {
  const { parsed, problems } = readArgs(args, { values: ['--days', '--tokens', '--interval', '--id'] });
  const { values } = parsed;
  const errors: string[] = [...problems];
  const out: { days?: number; tokens?: InstrumentToken[]; interval?: CandleInterval; id?: string } = {};
  const days = integerFlag('--days', values['--days'], { min: 1, max: 60 });
  if (E.isLeft(days)) errors.push(days.left);
  else if (days.right !== undefined) out.days = days.right;
  const tokenText = values['--tokens'];
  if (tokenText !== undefined) {
    const tokens = tokenText.split(',').map((t) => t.trim());
    const bad = tokens.filter((t) => !isInstrumentToken(t));
    if (bad.length > 0) errors.push(`--tokens: not instrument tokens: ${bad.join(', ')}`);
    else out.tokens = tokens.filter(isInstrumentToken);
  }
  const interval = values['--interval'];
  if (interval !== undefined) {
    if (isInterval(interval)) out.interval = interval;
    else
      errors.push(
        expectedLine('--interval', `one of ${Object.keys(CANDLE_INTERVAL_MINUTES).join('|')}`, interval),
      );
  }
  const id = values['--id'];
  if (id !== undefined) {
    if (PLAN_ID_PATTERN.test(id) && !id.includes('..')) out.id = id;
    else errors.push('--id: expected letters, digits and . _ : - (starting with a letter or digit)');
  }
  return errors.length > 0 ? E.left(errors) : E.right(out);
};

export interface BackfillCliIo {
  readonly env: Env;
  readonly out: ProgressOut;
  readonly err: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Aborts the job (the plan stays resumable); the command wires SIGINT and SIGTERM to it. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  readonly launch?: StageLauncher;
}

/** Runs one backfill in the foreground; resolves to the exit code. */
export const runBackfillCli = async (args: readonly string[], io: BackfillCliIo): Promise<number> => {
  const parsed = parseBackfillArgs(args);
  if (E.isLeft(parsed)) return refuseArgs('backfill', parsed.left, io.err);
  const config = decodeServiceConfig(io.env, 'backfill', process.cwd());
  if (E.isLeft(config)) {
    io.err.write(`${config.left.map((line) => `tickflow backfill: ${line}`).join('\n')}\n`);
    return 2;
  }
  const c = config.right.app;
  const logger = new ConsoleLogger({
    level: c.logLevel,
    format: c.logFormat === 'auto' ? (io.err.isTTY === true ? 'human' : 'json') : c.logFormat,
    out: io.err,
  });
  const printer = progressPrinter(io.out);
  const parent = await buildBackfillParent(config.right, {
    env: io.env,
    logger,
    metrics: new PrometheusMetrics({ defaultMetrics: false }),
    onProgress: printer.update,
    ...(io.clock === undefined ? {} : { clock: io.clock }),
    ...(io.launch === undefined ? {} : { launch: io.launch }),
  });
  try {
    const a = parsed.right;
    const request = resolveRequest(
      {
        ...(a.id === undefined ? {} : { id: a.id }),
        tokens: a.tokens ?? parent.instruments.tokens,
        interval: a.interval ?? c.backfillInterval,
        span: { kind: 'days', days: a.days ?? c.backfillDays },
      },
      parent.session,
      parent.clock.now(),
    );
    if (request.tokens.length === 0 || request.windows.length === 0) {
      io.err.write('tickflow backfill: nothing to backfill (no tokens or no trading days)\n');
      return 2;
    }
    const choice = await choosePlan(parent.store, request, true);
    if (choice.kind === 'finished') {
      io.out.write(`Backfill ${choice.planId} has already finished; nothing to do.\n`);
      return 0;
    }
    io.out.write(
      `Backfill ${choice.planId}: ${choice.kind === 'resume' ? 'resuming' : 'starting'}, ` +
        `${request.tokens.length} instrument(s), ${request.windows[0]?.day ?? ''} to ${request.windows.at(-1)?.day ?? ''}, ` +
        `${request.interval} bars\n`,
    );
    const target =
      choice.kind === 'resume'
        ? ({ kind: 'resume', planId: choice.planId } as const)
        : ({ kind: 'new', request: { ...request, planId: choice.planId } } as const);
    const outcome = await parent.runJob(target, io.signal ?? new AbortController().signal);
    printer.done();
    switch (outcome.status) {
      case 'succeeded':
        io.out.write(`Backfill ${outcome.planId} done: ${outcome.progress.publishedBars} bars published.\n`);
        return 0;
      case 'cancelled':
        io.out.write(`Backfill ${outcome.planId} interrupted; run the same command again to resume it.\n`);
        return 130;
      case 'failed':
        io.err.write(`tickflow backfill: ${outcome.planId} failed: ${outcome.reason}\n`);
        return 1;
    }
  } finally {
    await parent.close();
  }
};

export const backfillCommand: Command = {
  name: 'backfill',
  summary: 'fetch the last trading days of candles into Kafka, in the foreground',
  help: HELP,
  run: async (args) => {
    if (wantsHelp(args)) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const abort = new AbortController();
    const onSignal = (): void => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      return await runBackfillCli(args, {
        env: process.env,
        out: process.stdout,
        err: process.stderr,
        signal: abort.signal,
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
