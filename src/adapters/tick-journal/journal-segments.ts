import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Fifo } from './fifo.ts';
import { JournalCorrupted } from './journal-errors.ts';
import { readFrame } from './journal-frame.ts';

/** What opening the journal found on disk. */
export interface JournalRecovery {
  readonly records: number;
  readonly bytes: number;
  /** Records cut off the end of the last segment: torn by a crash in the middle of a write. */
  readonly truncatedRecords: number;
  readonly truncatedBytes: number;
}

export interface Segment {
  readonly path: string;
  /** Bytes placed in it, written or still waiting for the next group write. */
  size: number;
  lastSeq: number;
  writer: FileHandle | undefined;
  /** The file and its directory entry are durable. */
  onDisk: boolean;
}

/** Where one record lives. */
export interface Entry {
  readonly segment: Segment;
  readonly offset: number;
  readonly length: number;
}

const SEGMENT_NAME = /^(\d{16})\.journal$/;
export const segmentName = (ordinal: number): string => `${String(ordinal).padStart(16, '0')}.journal`;

/** Makes a new file's directory entry durable. */
export const syncDirectory = async (dir: string): Promise<void> => {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

export interface RecoveredSegments {
  readonly segments: Segment[];
  readonly entries: Fifo<Entry>;
  readonly nextOrdinal: number;
  readonly recovery: JournalRecovery;
}

/**
 * Indexes the segments in `dir` (creating it when missing), oldest first. A torn or corrupt
 * record ends the last segment: it is truncated there and counted. Anywhere else it is an error,
 * since a segment is fsync'd before the next one is begun. Empty segments are deleted.
 */
export const recoverSegments = async (dir: string): Promise<RecoveredSegments> => {
  await mkdir(dir, { recursive: true });
  const names = (await readdir(dir)).filter((n) => SEGMENT_NAME.test(n)).sort();
  const segments: Segment[] = [];
  const entries = new Fifo<Entry>();
  let seq = 0;
  let bytes = 0;
  let truncatedRecords = 0;
  let truncatedBytes = 0;
  for (const [i, name] of names.entries()) {
    const path = join(dir, name);
    const content = await readFile(path);
    const segment: Segment = { path, size: 0, lastSeq: -1, writer: undefined, onDisk: true };
    let offset = 0;
    for (;;) {
      const read = readFrame(content, offset);
      if (read.kind === 'end') break;
      if (read.kind === 'frame') {
        entries.push({ segment, offset, length: read.next - offset });
        segment.lastSeq = seq++;
        offset = read.next;
        continue;
      }
      if (i !== names.length - 1)
        throw new JournalCorrupted(path, offset, read.kind === 'corrupt' ? read.reason : 'short record');
      truncatedRecords += 1;
      truncatedBytes += content.length - offset;
      const handle = await open(path, 'r+');
      try {
        await handle.truncate(offset);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      break;
    }
    segment.size = offset;
    if (segment.lastSeq < 0) {
      await unlink(path);
      continue;
    }
    segments.push(segment);
    bytes += offset;
  }
  const lastName = names.at(-1);
  return {
    segments,
    entries,
    nextOrdinal: lastName === undefined ? 1 : Number(lastName.slice(0, 16)) + 1,
    recovery: { records: seq, bytes, truncatedRecords, truncatedBytes },
  };
};
