import { istDateOf, istDayNumber } from '../../domain/ist.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Metrics } from '../../ports/metrics.ts';
import type { FeedStatusMessage, FeedTap, TappedStream } from '../mstock/feed-tap.ts';
import { SessionFileWriter } from './session-file-writer.ts';
import type { SessionHeader } from './session-header.ts';
import { RecordBuffer, type SessionRecord } from './session-record.ts';

export interface FeedRecordingOptions {
  /** Where the session files go (created if missing); live uses DATA_DIR/recordings. */
  readonly dir: string;
  /** Per block; default gzip (m.Stock frames shrink to about a third). */
  readonly compression?: 'gzip' | 'none';
  /** A block is sealed and written at least this often: at most this much is lost in a crash. */
  readonly flushIntervalMs?: number;
  /** A block is sealed as soon as it holds this many bytes. */
  readonly maxBlockBytes?: number;
  /** Sealed blocks waiting for the disk beyond this are not kept: frames are dropped and counted. */
  readonly maxPendingBytes?: number;
  /** Written into each header: what made the file. */
  readonly recorder?: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface RecordingSummary {
  /** The files written, in order. */
  readonly files: readonly string[];
  readonly frames: number;
  /** Frames not recorded because the disk fell behind (each gap is marked in the file). */
  readonly lostFrames: number;
  /** Bytes written to disk, headers included. */
  readonly bytesWritten: number;
  /** Set when writing failed: the recording stopped there, the feed went on. */
  readonly error?: string;
}

/** What the lead wires into the live feed: the tap for `createMstockAdapters({ feedTap })`, and a close. */
export interface FeedRecording {
  readonly tap: FeedTap;
  /** The files begun so far. */
  files(): readonly string[];
  /** Closes every file in order (each ends with a closing record) once the last block is on disk. */
  close(): Promise<RecordingSummary>;
}

interface Stream {
  readonly info: TappedStream;
  header: SessionHeader;
  /** The IST day number of `header.istDate`: compared per record, so kept as a number. */
  day: number;
  recordsInFile: number;
}

/**
 * Records what the feed tap sees into session files (README.md in this folder has the format).
 * The tap is called on the feed's hot path, so it only appends to an in-memory block; blocks are
 * sealed by size or every `flushIntervalMs`, then compressed, written and synced one after another
 * off the hot path. A stream gets a new file per IST day it runs into. The recording never stops
 * the feed: a disk that falls behind costs frames (counted, and marked in the file), a write
 * error ends the recording (logged) while the feed goes on.
 */
class FeedRecorder implements FeedTap {
  private readonly options: FeedRecordingOptions;
  private readonly writer: SessionFileWriter;
  private readonly buffer = new RecordBuffer();
  private readonly framesCounter: Counter;
  private readonly lostCounter: Counter;
  private readonly errorCounter: Counter;
  private readonly bytesCounter: Counter;
  private readonly timer: NodeJS.Timeout;
  private stream: Stream | undefined;
  private tail: Promise<void> = Promise.resolve();
  private pendingBytes = 0;
  private lostSinceLast = 0;
  private lastAt = 0 as EpochMs;
  private failure: string | undefined;
  private closed = false;
  frames = 0;
  lostFrames = 0;

  constructor(options: FeedRecordingOptions) {
    this.options = options;
    this.writer = new SessionFileWriter(options.dir);
    const m = options.metrics;
    this.framesCounter = m.counter('recording_frames_total', 'Feed frames written to session files');
    this.lostCounter = m.counter(
      'recording_frames_lost_total',
      'Feed frames not recorded because the disk fell behind',
    );
    this.errorCounter = m.counter('recording_write_errors_total', 'Session file writes that failed');
    this.bytesCounter = m.counter('recording_bytes_written_total', 'Bytes written to session files');
    this.timer = setInterval(() => this.seal(false), options.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  get files(): readonly string[] {
    return this.writer.paths;
  }

  streamStarted(info: TappedStream): void {
    if (this.closed) return;
    this.closeFile(info.at);
    this.stream = {
      info,
      header: this.headerFor(info, 1, info.at),
      day: istDayNumber(info.at),
      recordsInFile: 0,
    };
  }

  frame(bytes: Uint8Array, receivedAt: EpochMs, kind: 'binary' | 'text'): void {
    if (this.stream === undefined || this.closed || this.failure !== undefined) return;
    if (this.pendingBytes > (this.options.maxPendingBytes ?? 64 * 1024 * 1024)) {
      this.lostSinceLast += 1;
      this.lostFrames += 1;
      this.lostCounter.inc();
      return;
    }
    this.append(
      kind === 'binary'
        ? { kind: 'binary', at: receivedAt, bytes }
        : { kind: 'text', at: receivedAt, text: Buffer.from(bytes).toString('utf8') },
    );
    this.frames += 1;
    this.framesCounter.inc();
  }

  status(message: FeedStatusMessage): void {
    if (this.stream === undefined || this.closed || this.failure !== undefined) return;
    switch (message.kind) {
      case 'connected':
        this.append({ kind: 'connected', at: message.at, attempt: message.attempt });
        return;
      case 'disconnected':
        this.append({ kind: 'disconnected', at: message.at, reason: message.reason });
        return;
      case 'gap':
        this.append({ kind: 'gap', at: message.gap.to, from: message.gap.from, cause: message.gap.cause });
        return;
    }
  }

  async close(): Promise<RecordingSummary> {
    if (!this.closed) {
      this.closed = true;
      clearInterval(this.timer);
      this.closeFile(this.lastAt);
      this.stream = undefined;
    }
    await this.tail;
    await this.writer.closeFile().catch(() => undefined);
    return {
      files: [...this.writer.paths],
      frames: this.frames,
      lostFrames: this.lostFrames,
      bytesWritten: this.writer.bytesWritten,
      ...(this.failure === undefined ? {} : { error: this.failure }),
    };
  }

  private headerFor(info: TappedStream, part: number, at: EpochMs): SessionHeader {
    return {
      feed: 'mstock',
      instruments: info.tokens,
      mode: info.mode,
      tickTimeZone: info.tickTimeZone,
      priceDivisor: info.priceDivisor,
      exchanges: info.exchanges,
      streamStartedAt: info.at,
      part,
      istDate: istDateOf(at),
      startedAt: at,
      compression: this.options.compression ?? 'gzip',
      recorder: this.options.recorder ?? 'tickflow',
    };
  }

  private append(record: SessionRecord): void {
    const stream = this.stream;
    if (stream === undefined) return;
    const day = istDayNumber(record.at);
    // A new file per IST day; a clock stepping back over midnight does not go back a file.
    if (day > stream.day) {
      this.closeFile(record.at);
      stream.header = this.headerFor(stream.info, stream.header.part + 1, record.at);
      stream.day = day;
    }
    if (this.lostSinceLast > 0) {
      this.buffer.add({ kind: 'lost', at: record.at, frames: this.lostSinceLast });
      this.lostSinceLast = 0;
    }
    this.buffer.add(record);
    stream.recordsInFile += 1;
    this.lastAt = record.at;
    if (this.buffer.byteLength >= (this.options.maxBlockBytes ?? 256 * 1024)) this.seal(false);
  }

  /** Ends the open file, if it holds anything, with its closing record. */
  private closeFile(at: EpochMs): void {
    const stream = this.stream;
    if (stream === undefined || stream.recordsInFile === 0 || this.failure !== undefined) return;
    this.buffer.add({ kind: 'end', at });
    stream.recordsInFile = 0;
    this.seal(true);
  }

  private seal(closesFile: boolean): void {
    const stream = this.stream;
    if (stream === undefined || this.buffer.count === 0 || this.failure !== undefined) return;
    const { payload, count, firstAt } = this.buffer.take();
    const job = { header: stream.header, payload, count, firstAt, closesFile };
    this.pendingBytes += payload.length;
    this.tail = this.tail.then(async () => {
      if (this.failure !== undefined) return;
      try {
        const before = this.writer.bytesWritten;
        await this.writer.write(job);
        this.bytesCounter.inc(this.writer.bytesWritten - before);
      } catch (e) {
        this.failure = e instanceof Error ? e.message : String(e);
        this.errorCounter.inc();
        this.options.logger.error('Recording stopped: a session file could not be written', {
          dir: this.options.dir,
          error: this.failure,
        });
      } finally {
        this.pendingBytes -= payload.length;
      }
    });
  }
}

/** Starts a recording; pass `tap` to the m.Stock feed and `close()` it after the feed has stopped. */
export const startFeedRecording = (options: FeedRecordingOptions): FeedRecording => {
  const recorder = new FeedRecorder(options);
  return { tap: recorder, files: () => recorder.files, close: () => recorder.close() };
};
