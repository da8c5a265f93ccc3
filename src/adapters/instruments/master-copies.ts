import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseIstDate, type IstDate } from '../../domain/ist.ts';
import { epochMs, type EpochMs } from '../../domain/units.ts';

/** A copy of the master on disk: the IST day it was fetched for, and when. */
export interface MasterCopy {
  readonly day: IstDate;
  readonly path: string;
  readonly fetchedAt: EpochMs;
}

const COPY_NAME = /^scriptmaster-(\d{4}-\d{2}-\d{2})\.csv$/;

/**
 * The master's copies under `<DATA_DIR>/instruments/`, one file a day (`scriptmaster-<day>.csv`,
 * the CSV as downloaded, gunzipped). A download is written to a temporary file and renamed into
 * place only once it has been read as a good master, so a crash or a bad answer never leaves a
 * broken copy where the last good one was; older copies are then removed.
 */
export class MasterCopies {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'instruments');
  }

  async ofDay(day: IstDate): Promise<MasterCopy | undefined> {
    return this.copyAt(day, join(this.dir, `scriptmaster-${day}.csv`));
  }

  /** The newest copy of any day, or undefined when there is none. */
  async latest(): Promise<MasterCopy | undefined> {
    const days = (await this.days()).sort();
    const day = days.at(-1);
    return day === undefined ? undefined : this.ofDay(day);
  }

  read(path: string): AsyncIterable<Uint8Array> {
    return createReadStream(path);
  }

  /** Writes `chunks` to a temporary file and returns its path (for `keep` or `discard`). */
  async write(day: IstDate, chunks: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.scriptmaster-${day}.csv.${process.pid}.tmp`);
    try {
      await pipeline(chunks, createWriteStream(temp), signal === undefined ? {} : { signal });
    } catch (e) {
      await this.discard(temp);
      throw e;
    }
    return temp;
  }

  /** Makes a written file the day's copy, then removes the copies of other days. */
  async keep(temp: string, day: IstDate): Promise<MasterCopy> {
    const path = join(this.dir, `scriptmaster-${day}.csv`);
    await rename(temp, path);
    for (const other of await this.days()) {
      if (other !== day) await rm(join(this.dir, `scriptmaster-${other}.csv`), { force: true });
    }
    const copy = await this.copyAt(day, path);
    if (copy === undefined) throw new Error(`${path} vanished after it was written`);
    return copy;
  }

  async discard(temp: string): Promise<void> {
    await rm(temp, { force: true });
  }

  private async days(): Promise<IstDate[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names.flatMap((n) => {
      const day = parseIstDate(COPY_NAME.exec(n)?.[1] ?? '');
      return day === undefined ? [] : [day];
    });
  }

  private async copyAt(day: IstDate, path: string): Promise<MasterCopy | undefined> {
    try {
      const s = await stat(path);
      return { day, path, fetchedAt: epochMs(Math.floor(s.mtimeMs)) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
}
