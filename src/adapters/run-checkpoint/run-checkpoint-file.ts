import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { open, readFile, rename, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { PreviousRun, RunCheckpoint, TokenCheckpoint } from '../../domain/gap-downtime.ts';
import { instrumentToken, isInstrumentToken, type InstrumentToken } from '../../domain/instrument.ts';
import { epochMs, type EpochMs } from '../../domain/units.ts';
import type { RunCheckpointStore } from '../../ports/run-checkpoint.ts';

const EpochMsC = new t.Type<EpochMs, number, unknown>(
  'epoch milliseconds',
  (u): u is EpochMs => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) =>
    typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? t.success(epochMs(u)) : t.failure(u, c),
  (a) => a,
);

const TokenCheckpointC = t.intersection([
  t.type({ lastAcceptedAt: EpochMsC }),
  t.partial({ unrecorded: t.keyof({ 'process-down': null, stopped: null }) }),
]);

/** The file as written: version 1, tokens keyed by instrument token. */
const CheckpointFileC = t.type({
  version: t.literal(1),
  writtenAt: EpochMsC,
  stoppedCleanly: t.boolean,
  tokens: t.record(t.string, TokenCheckpointC),
});
type CheckpointFile = t.TypeOf<typeof CheckpointFileC>;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const decode = (text: string): RunCheckpoint | string => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `not JSON (${errorText(e)})`;
  }
  const file = CheckpointFileC.decode(json);
  if (E.isLeft(file)) return 'not a version-1 checkpoint';
  const tokens = new Map<InstrumentToken, TokenCheckpoint>();
  for (const [key, entry] of Object.entries(file.right.tokens)) {
    if (!isInstrumentToken(key)) return `"${key.slice(0, 20)}" is not an instrument token`;
    tokens.set(instrumentToken(key), entry);
  }
  return { writtenAt: file.right.writtenAt, stoppedCleanly: file.right.stoppedCleanly, tokens };
};

const encode = (c: RunCheckpoint): string => {
  const file: CheckpointFile = {
    version: 1,
    writtenAt: c.writtenAt,
    stoppedCleanly: c.stoppedCleanly,
    tokens: Object.fromEntries(c.tokens),
  };
  return `${JSON.stringify(file)}\n`;
};

/**
 * The run checkpoint as one small JSON file (under DATA_DIR). A write goes to a temporary file
 * beside it, is fsync'd, then renamed over the old one, so a crash at any point leaves a whole
 * checkpoint: the old one or the new one. A file that does not decode is reported as unreadable
 * with its modification time.
 */
export class RunCheckpointFile implements RunCheckpointStore {
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  async read(): Promise<PreviousRun> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'first-run' };
      return this.unreadable(errorText(e));
    }
    const decoded = decode(text);
    return typeof decoded === 'string'
      ? this.unreadable(decoded)
      : { kind: 'checkpoint', checkpoint: decoded };
  }

  async write(checkpoint: RunCheckpoint): Promise<void> {
    const temp = join(dirname(this.file), `.${basename(this.file)}.tmp`);
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(encode(checkpoint), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.file);
  }

  private async unreadable(reason: string): Promise<PreviousRun> {
    // Not even a modification time: the file was there a moment ago, so "now" is the best guess.
    const modifiedAt = await stat(this.file).then(
      (s) => Math.floor(s.mtimeMs),
      () => Date.now(),
    );
    return { kind: 'unreadable', modifiedAt: epochMs(modifiedAt), reason };
  }
}
