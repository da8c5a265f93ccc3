import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { formatIstDateTime } from '../../domain/ist.ts';
import type { EpochMs } from '../../domain/units.ts';
import { BLOCK_FLAG_GZIP, encodeBlock, encodeFileHeader } from './session-framing.ts';
import type { SessionHeader } from './session-header.ts';

const gzipAsync = promisify(gzip);

/** One sealed block for the file `header` describes; `closesFile` after the file's closing record. */
export interface BlockJob {
  readonly header: SessionHeader;
  readonly payload: Uint8Array;
  readonly count: number;
  readonly firstAt: EpochMs;
  readonly closesFile: boolean;
}

/** `mstock-2025-11-20-091500.tfrec`: the feed, then the IST date and time the file was begun. */
export const sessionFileName = (header: SessionHeader, suffix: number): string => {
  const stamp = formatIstDateTime(header.startedAt).replace(' ', '-').replaceAll(':', '');
  return `${header.feed}-${stamp}${suffix > 1 ? `-${suffix}` : ''}.tfrec`;
};

/**
 * Writes blocks to session files, one job at a time (the caller chains them): opens a new file
 * when a job's header differs from the open one's, compresses the block when the header says
 * gzip, writes it whole and syncs it, so once a job resolves its block survives a crash.
 */
export class SessionFileWriter {
  private readonly dir: string;
  private file: { readonly header: SessionHeader; readonly handle: FileHandle } | undefined;
  /** Every file begun, in order. */
  readonly paths: string[] = [];
  bytesWritten = 0;

  constructor(dir: string) {
    this.dir = dir;
  }

  async write(job: BlockJob): Promise<void> {
    if (this.file?.header !== job.header) {
      await this.closeFile();
      this.file = { header: job.header, handle: await this.create(job.header) };
    }
    const gzipped = job.header.compression === 'gzip';
    const stored = gzipped ? await gzipAsync(job.payload) : job.payload;
    await this.append(
      this.file.handle,
      encodeBlock(stored, gzipped ? BLOCK_FLAG_GZIP : 0, job.count, job.firstAt),
    );
    await this.file.handle.datasync();
    if (job.closesFile) await this.closeFile();
  }

  async closeFile(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.handle.close();
  }

  /** A new file (never an existing one: a restart on the same second gets a suffix), header written. */
  private async create(header: SessionHeader): Promise<FileHandle> {
    await mkdir(this.dir, { recursive: true });
    for (let suffix = 1; ; suffix++) {
      const path = join(this.dir, sessionFileName(header, suffix));
      let handle: FileHandle;
      try {
        handle = await open(path, 'wx');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      this.paths.push(path);
      try {
        await this.append(handle, encodeFileHeader(header));
      } catch (e) {
        await handle.close();
        throw e;
      }
      return handle;
    }
  }

  private async append(handle: FileHandle, bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
      done += bytesWritten;
    }
    this.bytesWritten += bytes.length;
  }
}
