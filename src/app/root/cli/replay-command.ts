import { join } from 'node:path';
import { either as E } from 'fp-ts';
import { ConsoleLogger } from '../../../adapters/logging/console-logger.ts';
import type { ReplayReport } from '../../../adapters/replay/replay-report.ts';
import { isInstrumentToken, type InstrumentToken } from '../../../domain/instrument.ts';
import { formatIstDateTime, parseIstDate } from '../../../domain/ist.ts';
import type { EpochMs } from '../../../domain/units.ts';
import { decodeServiceConfig } from '../config/service-config.ts';
import type { ReplaySinkChoice } from '../container/replay-container.ts';
import { openReplay } from '../replay-root.ts';
import { openReplaySources } from '../../../adapters/replay/open-replay-sources.ts';
import { runReplay, type ReplayRequest, type ReplaySummary } from '../../replay-session.ts';
import { refuseArgs, type Command } from './command.ts';
import { parseArgs } from './flags.ts';

const HELP = `tickflow replay FILE|DIR... --sink kafka|stdout|ndjson [options]

Plays recorded sessions (.tfrec files from \`tickflow record\` or \`live\` with RECORD_FRAMES=true; a
directory stands for its .tfrec files in time order) or NDJSON tick files back through the same
decode and ingest path as live. Receive times come from the recording, never the clock, so the same
files give the same Kafka keys and values, byte for byte, as the live run published.

  --sink kafka|stdout|ndjson  where the ticks go (required): Kafka (KAFKA_BROKER; TICK_TOPIC or
                              --topic), NDJSON on stdout, or an NDJSON file (--out)
  --out PATH                  the NDJSON file for --sink ndjson (appended to)
  --topic NAME                the Kafka topic (default: TICK_TOPIC)
  --speed max|N               max (default): as fast as the sink takes; 1: real time; N: N× faster
  --from TIME, --to TIME      only what was received in this window: ISO 8601, e.g.
                              2025-11-20T09:15 (IST unless it ends in Z or an offset)
  --tokens a,b                only these instrument tokens
  --mark-replay               replayed live ticks carry source "replay" (default: "live", exactly as
                              published; tick ids are the same either way)
  --tick-time-zone ist|utc    decode feed times with this zone instead of the recorded one
  --unscreened                skip the validation live applies (by default the same checks run, so
                              what live quarantined is quarantined again: into Kafka, to
                              QUARANTINE_TOPIC, or <topic>_quarantine with --topic; else only counted)

Progress goes to stderr when it is a terminal; then one summary line (logs go to stderr too).
Exit 0 when every file was read whole and every tick accepted; 1 when a file was damaged (replayed
up to the damage, which is named) or a tick refused; 2 on bad arguments, or a file that cannot be
replayed at all (missing, not a recording, or written by a newer tickflow).`;

export type SinkArg =
  | { readonly kind: 'kafka'; readonly topic?: string }
  | { readonly kind: 'stdout' }
  | { readonly kind: 'ndjson'; readonly out: string };

export interface ReplayArgs {
  readonly request: ReplayRequest;
  readonly sink: SinkArg;
  /** Skip the validating screen: every decoded tick goes to the sink. */
  readonly unscreened: boolean;
}

const DECLARED_FLAGS = {
  values: ['--sink', '--out', '--topic', '--speed', '--from', '--to', '--tokens', '--tick-time-zone'],
  switches: ['--mark-replay', '--unscreened'],
  positionals: true,
} as const;

/** An instant from ISO 8601; without Z or an offset the wall time is IST. */
export const parseInstant = (s: string): EpochMs | undefined => {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2}(?:\.\d{1,3})?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m === null || parseIstDate(m[1] ?? '') === undefined) return undefined;
  const zone = m[4] ?? '+05:30';
  const offset = zone === 'Z' || zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${m[1] ?? ''}T${m[2] ?? '00:00'}${m[3] ?? ':00'}${offset}`);
  return Number.isNaN(ms) ? undefined : (ms as EpochMs);
};

/** The command line as a request, or what is wrong with it (the flags: every problem, one per line). */
export const parseReplayArgs = (args: readonly string[]): E.Either<string, ReplayArgs> => {
  const parsed = parseArgs(args, DECLARED_FLAGS);
  if (E.isLeft(parsed)) return E.left(parsed.left.join('\n'));
  const { positionals: paths, switches, values } = parsed.right;
  const markReplay = switches.has('--mark-replay');
  const unscreened = switches.has('--unscreened');
  if (paths.length === 0) return E.left('name at least one file or directory to replay');
  const sinkName = values['--sink'];
  const out = values['--out'];
  let sink: SinkArg;
  if (sinkName === 'kafka') {
    const topic = values['--topic'];
    sink = topic === undefined ? { kind: 'kafka' } : { kind: 'kafka', topic };
  } else if (sinkName === 'stdout') sink = { kind: 'stdout' };
  else if (sinkName === 'ndjson') {
    if (out === undefined) return E.left('--sink ndjson needs --out PATH');
    sink = { kind: 'ndjson', out };
  } else return E.left('--sink must be kafka, stdout or ndjson');
  if (out !== undefined && sink.kind !== 'ndjson') return E.left('--out goes with --sink ndjson');
  if (values['--topic'] !== undefined && sink.kind !== 'kafka')
    return E.left('--topic goes with --sink kafka');

  const speedArg = values['--speed'] ?? 'max';
  const speed = speedArg === 'max' ? 'max' : Number(speedArg);
  if (speed !== 'max' && !(Number.isFinite(speed) && speed > 0)) {
    return E.left('--speed takes max or a number above 0');
  }
  const window: { from?: EpochMs; to?: EpochMs } = {};
  for (const name of ['from', 'to'] as const) {
    const text = values[`--${name}`];
    if (text === undefined) continue;
    const at = parseInstant(text);
    if (at === undefined) return E.left(`--${name} takes an ISO 8601 time, e.g. 2025-11-20T09:15`);
    window[name] = at;
  }
  if (window.from !== undefined && window.to !== undefined && window.from > window.to) {
    return E.left('--from is after --to');
  }
  let tokens: InstrumentToken[] | undefined;
  const tokenText = values['--tokens'];
  if (tokenText !== undefined) {
    tokens = [];
    for (const part of tokenText.split(',').map((s) => s.trim())) {
      if (!isInstrumentToken(part)) return E.left(`--tokens: "${part}" is not an instrument token`);
      tokens.push(part);
    }
  }
  const zone = values['--tick-time-zone'];
  if (zone !== undefined && zone !== 'ist' && zone !== 'utc')
    return E.left('--tick-time-zone takes ist or utc');
  return E.right({
    sink,
    unscreened,
    request: {
      paths,
      speed,
      markReplay,
      ...window,
      ...(tokens === undefined ? {} : { tokens }),
      ...(zone === undefined ? {} : { tickTimeZone: zone }),
    },
  });
};

const BAR_WIDTH = 30;

const renderProgress = (report: ReplayReport): string => {
  const total = report.totalBytes;
  const share = total > 0 ? Math.min(1, report.bytesRead / total) : 1;
  const filled = Math.round(share * BAR_WIDTH);
  const at = report.lastAt === undefined ? '' : `  at ${formatIstDateTime(report.lastAt)} IST`;
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)
    .toString()
    .padStart(3)}%  ${report.ticks.toLocaleString('en-IN')} ticks${at}`;
};

/** The one summary line, then a line per file that did not end whole. */
export const summaryLines = (summary: ReplaySummary, destination: string): string[] => {
  const r = summary.report;
  const span =
    r.firstAt === undefined || r.lastAt === undefined
      ? 'nothing in the window'
      : `received ${formatIstDateTime(r.firstAt)} to ${formatIstDateTime(r.lastAt)} IST`;
  const lines = [
    `[INFO] Replay ${summary.aborted ? 'stopped' : 'finished'}: ${r.sources.length} file(s), ${r.frames} frames, ${r.ticks} ticks; ${summary.accepted} accepted by ${destination}, ${summary.rejected} refused, ${summary.quarantined} quarantined; ${span}`,
  ];
  for (const { path, ending } of summary.endings) {
    if (ending.kind === 'truncated' || ending.kind === 'corrupt' || ending.kind === 'unreadable') {
      lines.push(`[WARN] ${path}: ${ending.message}`);
    } else if (ending.kind === 'unterminated') lines.push(`[INFO] ${path}: ${ending.message}`);
  }
  if (r.lostFrames > 0) {
    lines.push(
      `[WARN] The recorder lost ${r.lostFrames} frame(s) (its disk fell behind): the live run had ticks this replay has not`,
    );
  }
  return lines;
};

/** The sink the arguments name, with the words the summary uses for it. */
const sinkChoiceOf = (
  sink: SinkArg,
): E.Either<string, { readonly choice: ReplaySinkChoice; readonly destination: string }> => {
  // A closed pipe (`tickflow replay ... | head`): the reader wants no more ticks. With stdout as the
  // sink there is nothing to flush or close, so it ends now, quietly (main.ts makes the code 0).
  if (sink.kind === 'stdout') {
    return E.right({
      choice: { kind: 'stream', out: process.stdout, onBroken: () => process.exit(0) },
      destination: 'stdout',
    });
  }
  if (sink.kind === 'ndjson')
    return E.right({ choice: { kind: 'ndjson', path: sink.out }, destination: sink.out });
  const base = decodeServiceConfig(process.env, 'replay', process.cwd());
  if (E.isLeft(base)) return E.left(base.left.join('; '));
  const topic = sink.topic ?? base.right.app.tickTopic;
  // A journal of its own per topic: a replay never drains the live run's journal, nor another topic's.
  const env = {
    ...process.env,
    TICK_TOPIC: topic,
    SINK_JOURNAL_DIR:
      process.env['SINK_JOURNAL_DIR'] ??
      join(base.right.app.dataDir, 'replay-journal', encodeURIComponent(topic)),
  };
  const config = decodeServiceConfig(env, 'replay', process.cwd());
  if (E.isLeft(config)) return E.left(config.left.join('; '));
  return E.right({
    choice: { kind: 'kafka', settings: config.right.kafka },
    destination: `Kafka topic ${topic}`,
  });
};

export const replayCommand: Command = {
  name: 'replay',
  summary: 'play a recorded session (or NDJSON ticks) back into Kafka, stdout or a file',
  help: HELP,
  run: async (args) => {
    const parsed = parseReplayArgs(args);
    if (E.isLeft(parsed)) return refuseArgs('replay', parsed.left.split('\n'));
    const config = decodeServiceConfig(process.env, 'replay', process.cwd());
    if (E.isLeft(config)) {
      for (const line of config.left) process.stderr.write(`tickflow replay: ${line}\n`);
      return 2;
    }
    const app = config.right.app;
    const tty = process.stderr.isTTY;
    const logger = new ConsoleLogger({
      level: app.logLevel,
      format: app.logFormat === 'json' ? 'json' : 'human',
      // On a terminal a log line first wipes the progress bar; the bar is drawn again below it.
      out: { write: (line) => void process.stderr.write(tty ? `\r\x1b[K${line}` : line) },
    });
    const sources = await openReplaySources(parsed.right.request);
    if (E.isLeft(sources)) {
      for (const line of sources.left) process.stderr.write(`tickflow replay: ${line}\n`);
      return 2;
    }
    const abort = new AbortController();
    const onSignal = (): void => abort.abort();
    const chosen = sinkChoiceOf(parsed.right.sink);
    if (E.isLeft(chosen)) {
      logger.error(`Cannot open the sink: ${chosen.left}`);
      return 1;
    }
    const { choice, destination } = chosen.right;
    const opened = await openReplay({
      config: config.right,
      logger,
      sources: sources.right,
      request: parsed.right.request,
      sink: choice,
      screened: !parsed.right.unscreened,
    });
    if (E.isLeft(opened)) {
      logger.error(`Cannot open the ${opened.left.what}: ${opened.left.message}`);
      return 1;
    }
    const { feed, sink, metrics, clock, screening } = opened.right;
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const progress = tty
      ? setInterval(() => {
          process.stderr.write(`\r\x1b[K${renderProgress(feed.report)}`);
        }, 200)
      : undefined;
    let summary: ReplaySummary;
    try {
      summary = await runReplay(
        {
          feed,
          sink,
          logger,
          metrics,
          clock,
          ...(screening === undefined
            ? {}
            : { screen: (ticks, receivedAt) => screening.screen.screen(ticks, receivedAt) }),
        },
        parsed.right.request,
        abort.signal,
      );
    } finally {
      clearInterval(progress);
      if (tty) process.stderr.write(`\r\x1b[K${renderProgress(feed.report)}\n`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await opened.right.close();
    }
    for (const line of summaryLines(summary, destination)) process.stderr.write(`${line}\n`);
    if (screening !== undefined && summary.quarantined > 0)
      process.stderr.write(
        `[INFO] ${summary.quarantined} quarantined tick(s) went to ${screening.destination}\n`,
      );
    return summary.damaged || summary.rejected > 0 ? 1 : 0;
  },
};
