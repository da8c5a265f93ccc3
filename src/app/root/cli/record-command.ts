import { join } from 'node:path';
import { either as E } from 'fp-ts';
import { selectionAtStart } from '../instrument-selection.ts';
import { composeRecord } from '../record-root.ts';
import { refuseArgs, type Command } from './command.ts';
import { integerFlag, parseArgs } from './flags.ts';
import { terminalOtpPrompt } from './otp-prompt.ts';
import { startup } from '../startup.ts';

const HELP = `tickflow record [--out DIR] [--duration SECONDS] [--no-gzip]

Logs in to m.Stock as \`live\` does (MSTOCK_USER, MSTOCK_PASS, MSTOCK_API_KEY, MSTOCK_TOTP_SECRET or
MSTOCK_OTP; MSTOCK_API_URL and MSTOCK_WS_URL point it at the simulator), follows the feed for the
instruments and writes every raw frame, with its receive time and order, and every reconnect to
session files: one per IST day, each block checked by CRC, so a crash loses at most the last
second. Nothing is published. Play the files back with \`tickflow replay\`.

  --out DIR         where the .tfrec files go (default: DATA_DIR/recordings)
  --duration S      stop after S seconds (default: until SIGINT or SIGTERM)
  --no-gzip         store blocks uncompressed (default: gzip per block)`;

export interface RecordArgs {
  readonly out?: string;
  readonly durationSeconds?: number;
  readonly gzip: boolean;
}

export const parseRecordArgs = (args: readonly string[]): E.Either<readonly string[], RecordArgs> => {
  const parsed = parseArgs(args, { values: ['--out', '--duration'], switches: ['--no-gzip'] });
  if (E.isLeft(parsed)) return parsed;
  const { values, switches } = parsed.right;
  const duration = integerFlag('--duration', values['--duration'], { min: 1 });
  if (E.isLeft(duration)) return E.left([duration.left]);
  const out = values['--out'];
  return E.right({
    gzip: !switches.has('--no-gzip'),
    ...(out === undefined ? {} : { out }),
    ...(duration.right === undefined ? {} : { durationSeconds: duration.right }),
  });
};

export const recordCommand: Command = {
  name: 'record',
  summary: 'record the raw m.Stock feed to session files, for replay',
  help: HELP,
  run: async (args) => {
    const parsed = parseRecordArgs(args);
    if (E.isLeft(parsed)) return refuseArgs('record', parsed.left);
    const s = await startup(process.env, 'record', 'record');
    if (s === undefined) return 2;
    const { config, logger } = s;
    const a = config.app;
    const dir = parsed.right.out ?? join(a.dataDir, 'recordings');
    // The same m.Stock settings the composition root gives `live`, so frames decode the same way.
    const {
      recording,
      mstock: adapters,
      selection,
    } = composeRecord({
      config,
      logger,
      instruments: s.instruments,
      recording: { dir, compression: parsed.right.gzip ? 'gzip' : 'none' },
      ...(process.stdin.isTTY ? { promptOtp: terminalOtpPrompt } : {}),
    });
    const abort = new AbortController();
    const stop = (): void => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const timer =
      parsed.right.durationSeconds === undefined
        ? undefined
        : setTimeout(stop, parsed.right.durationSeconds * 1000);
    let ticks = 0;
    let failed = false;
    try {
      const instruments = await selectionAtStart(
        s.instruments,
        selection,
        { maxInstrumentsPerSocket: a.maxInstrumentsPerSocket, maxSockets: a.maxSockets },
        logger,
      );
      const tokens = instruments.followed.tokens;
      logger.info('Recording the feed', { dir, instruments: tokens.length, mode: a.subscriptionMode });
      const subscription = { tokens, mode: a.subscriptionMode };
      for await (const message of adapters.feed.messages(subscription, abort.signal)) {
        if (message.kind === 'ticks') ticks += message.ticks.length;
      }
    } catch (e) {
      failed = true;
      logger.error('The feed stopped', { error: adapters.masker.mask((e as Error).message) });
    } finally {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      adapters.session.close();
    }
    const summary = await recording.close();
    logger.info('Recording finished', {
      frames: summary.frames,
      ticks,
      lostFrames: summary.lostFrames,
      bytes: summary.bytesWritten,
      files: summary.files.join(','),
    });
    if (summary.error !== undefined) logger.error('Recording failed', { error: summary.error });
    return failed || summary.error !== undefined ? 1 : 0;
  },
};
