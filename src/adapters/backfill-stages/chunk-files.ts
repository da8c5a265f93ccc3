import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { access, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ChunkId } from '../../domain/backfill-plan-chunks.ts';
import type { PlanId } from '../../domain/backfill-plan-types.ts';
import type { Candle } from '../../domain/candle.ts';
import { rupees, type Rupees } from '../../domain/units.ts';
import { CountC, EpochMsC, TokenC } from '../../ports/wire-codecs.ts';
import { CandleFileCorrupted, type ChunkFileStore } from '../../ports/backfill-stages/chunk-file-store.ts';

/**
 * The chunk data files on disk: `<root>/<planId>/<chunk id>.ndjson`, one candle a line. A file is
 * written under a temporary name, fsync'd and renamed, so a data file exists only when it is
 * complete: after a crash, a chunk whose file exists need not be fetched again.
 */
export class ChunkFiles implements ChunkFileStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  dirOf(plan: PlanId): string {
    return join(this.root, plan);
  }

  /** Colons become underscores: the id's `token:interval:from:to` stays readable and portable. */
  fileOf(plan: PlanId, chunk: ChunkId): string {
    return join(this.dirOf(plan), `${chunk.replaceAll(':', '_')}.ndjson`);
  }

  async exists(file: string): Promise<boolean> {
    try {
      await access(file);
      return true;
    } catch {
      return false;
    }
  }

  write(file: string, candles: readonly Candle[]): Promise<void> {
    return writeCandleFile(file, candles);
  }

  read(file: string): Promise<readonly Candle[]> {
    return readCandleFile(file);
  }

  async remove(file: string): Promise<void> {
    await rm(file, { force: true });
  }

  /** Deletes a finished plan's files: what they held is in the sink. */
  async removePlan(plan: PlanId): Promise<void> {
    await rm(this.dirOf(plan), { recursive: true, force: true });
  }
}

const Price = new t.Type<Rupees, number, unknown>(
  'a price in rupees',
  (u): u is Rupees => typeof u === 'number' && Number.isFinite(u) && u >= 0,
  (u, c) => (typeof u === 'number' && Number.isFinite(u) && u >= 0 ? t.success(rupees(u)) : t.failure(u, c)),
  (a) => a,
);

const CandleC: t.Type<Candle, unknown> = t.type({
  token: TokenC,
  start: EpochMsC,
  open: Price,
  high: Price,
  low: Price,
  close: Price,
  volume: CountC,
});

/** Writes the candles as the complete file `file`, or leaves no file at all. */
export const writeCandleFile = async (file: string, candles: readonly Candle[]): Promise<void> => {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const text = candles.map((c) => JSON.stringify(CandleC.encode(c))).join('\n');
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(candles.length === 0 ? '' : `${text}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  // The rename is durable only once the folder's entry is.
  const folder = await open(dir, 'r');
  await folder.sync().finally(() => folder.close());
};

/** Reads a data file back, every line checked; any bad line makes the whole file unusable. */
export const readCandleFile = async (file: string): Promise<readonly Candle[]> => {
  const text = await readFile(file, 'utf8');
  const out: Candle[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line === '' && i === lines.length - 1) break;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new CandleFileCorrupted(file, `line ${i + 1} is not JSON`);
    }
    const candle = CandleC.decode(parsed);
    if (E.isLeft(candle)) throw new CandleFileCorrupted(file, `line ${i + 1} is not a candle`);
    out.push(candle.right);
  }
  return out;
};
