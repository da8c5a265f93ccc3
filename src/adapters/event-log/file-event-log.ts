import { either as E } from 'fp-ts';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EventLog, ExpectedVersion, StoredEvent } from '../../ports/event-log/event-log.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Metrics } from '../../ports/metrics.ts';
import {
  eventCodec,
  encodeEvents,
  type EventCodec,
  type EventCodecInput,
} from '../../ports/event-log/event-codec.ts';
import { EventLogClosed, EventLogCorrupted } from '../../ports/event-log/event-log-errors.ts';
import { KeyedSerialQueue } from './keyed-serial-queue.ts';
import { formatBatch, scanStreamFile, type StreamFileScan } from './stream-file-format.ts';
import {
  checkExpected,
  checkFromVersion,
  checkStreamName,
  versionConflict,
} from '../../ports/event-log/stream-rules.ts';

export interface FileEventLogOptions<E> {
  /** The folder holding one `<stream>.ndjson` file per stream (`EVENT_LOG_DIR`); made when missing. */
  readonly dir: string;
  readonly codec: EventCodecInput<E>;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Another process changed a stream file between our read and our write. */
export class ConcurrentWriter extends Error {
  constructor(file: string) {
    super(`${file} changed while being appended to: only one process may write an event log folder`);
    this.name = 'ConcurrentWriter';
  }
}

/**
 * One queue per file for the whole process, so two FileEventLog instances on the same folder
 * cannot interleave a check and a write either.
 */
const fileQueue = new KeyedSerialQueue();

const readIfExists = async (file: string): Promise<Buffer | undefined> => {
  try {
    return await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
};

/** Makes a new file's directory entry durable: fsync of the file alone does not. */
const syncDir = async (dir: string): Promise<void> => {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * Event streams as append-only NDJSON files (format: stream-file-format.ts). `append` resolves
 * after fsync. Operations on one stream run one at a time, so the expected-version check and the
 * write cannot interleave within this process; a single process owns the folder (another writer
 * is detected, not prevented). Each operation reads the stream's file whole: plan streams hold a
 * few hundred small events.
 */
export class FileEventLog<E> implements EventLog<E> {
  private readonly dir: string;
  private readonly codec: EventCodec<E>;
  private readonly logger: Logger;
  private readonly tornTails: Counter;
  private readonly pending = new Set<Promise<unknown>>();
  /** Torn tails already reported, by file, so repeated reads report one once. */
  private readonly reported = new Map<string, number>();
  private dirReady: Promise<void> | undefined;
  private closed = false;

  constructor(options: FileEventLogOptions<E>) {
    this.dir = options.dir;
    this.codec = eventCodec(options.codec);
    this.logger = options.logger.child({ component: 'file-event-log' });
    this.tornTails = options.metrics.counter(
      'event_log_torn_tails_total',
      'Incomplete appends found at the end of an event stream file after a crash (ignored, then cut off)',
    );
  }

  async append(
    stream: string,
    events: readonly E[],
    expected: ExpectedVersion,
  ): Promise<{ readonly version: number }> {
    if (this.closed) throw new EventLogClosed();
    checkStreamName(stream);
    checkExpected(expected);
    const json = encodeEvents(this.codec, stream, events);
    const file = this.fileOf(stream);
    return await this.serially(file, async () => {
      const content = await readIfExists(file);
      const scan = this.scan(file, content);
      const actual = scan.lines.length;
      const conflict = versionConflict(stream, expected, actual);
      if (conflict !== undefined) throw conflict;
      if (json.length === 0) return { version: actual };
      await this.write(file, content, scan, Buffer.from(formatBatch(actual + 1, json), 'utf8'));
      return { version: actual + json.length };
    });
  }

  async read(stream: string, fromVersion = 1): Promise<readonly StoredEvent<E>[]> {
    if (this.closed) throw new EventLogClosed();
    checkStreamName(stream);
    checkFromVersion(fromVersion);
    const file = this.fileOf(stream);
    return await this.serially(file, async () => {
      const scan = this.scan(file, await readIfExists(file));
      const out: StoredEvent<E>[] = [];
      for (const line of scan.lines) {
        if (line.version < fromVersion) continue;
        const event = this.codec.decode(line.event);
        if (E.isLeft(event)) throw new EventLogCorrupted(file, line.line, `not an event: ${event.left}`);
        out.push({ stream, version: line.version, event: event.right });
      }
      return out;
    });
  }

  /** Every read reads the file: nothing is kept to refresh. */
  refresh(): Promise<void> {
    return this.closed ? Promise.reject(new EventLogClosed()) : Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.pending]);
  }

  private fileOf(stream: string): string {
    return resolve(join(this.dir, `${stream}.ndjson`));
  }

  private serially<T>(file: string, task: () => Promise<T>): Promise<T> {
    const run = fileQueue.run(file, task);
    this.pending.add(run);
    const forget = (): void => {
      this.pending.delete(run);
    };
    run.then(forget, forget);
    return run;
  }

  private scan(file: string, content: Buffer | undefined): Extract<StreamFileScan, { kind: 'ok' }> {
    if (content === undefined) return { kind: 'ok', lines: [], goodBytes: 0, tornBytes: 0 };
    const scan = scanStreamFile(content);
    if (scan.kind === 'corrupt') throw new EventLogCorrupted(file, scan.line, scan.problem);
    if (scan.tornBytes > 0 && this.reported.get(file) !== scan.goodBytes) {
      this.reported.set(file, scan.goodBytes);
      this.tornTails.inc();
      this.logger.warn('Event stream file ends in a torn append; ignoring it', {
        file,
        tornBytes: scan.tornBytes,
        keptEvents: scan.lines.length,
      });
    }
    return scan;
  }

  private async write(
    file: string,
    before: Buffer | undefined,
    scan: Extract<StreamFileScan, { kind: 'ok' }>,
    bytes: Buffer,
  ): Promise<void> {
    if (before === undefined) {
      this.dirReady ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
      await this.dirReady;
    }
    // 'wx' for a new file: if another process created it meanwhile, fail rather than overwrite.
    const handle = await open(file, before === undefined ? 'wx' : 'r+');
    try {
      if ((await handle.stat()).size !== (before?.length ?? 0)) throw new ConcurrentWriter(file);
      if (scan.tornBytes > 0) {
        await handle.truncate(scan.goodBytes);
        this.logger.info('Cut the torn tail off an event stream file', { file, tornBytes: scan.tornBytes });
        this.reported.delete(file);
      }
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(
          bytes,
          written,
          bytes.length - written,
          scan.goodBytes + written,
        );
        written += bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (before === undefined) await syncDir(this.dir);
  }
}
