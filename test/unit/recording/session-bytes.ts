import { gzipSync } from 'node:zlib';
import { either as E } from 'fp-ts';
import { memoryByteSource } from '../../../src/adapters/recording/byte-source.ts';
import {
  BLOCK_FLAG_GZIP,
  encodeBlock,
  encodeFileHeader,
} from '../../../src/adapters/recording/session-framing.ts';
import type { SessionHeader } from '../../../src/adapters/recording/session-header.ts';
import {
  readSessionBlocks,
  readSessionHeader,
  type SessionEnding,
} from '../../../src/adapters/recording/session-reader.ts';
import { RecordBuffer, type SessionRecord } from '../../../src/adapters/recording/session-record.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { IstDate } from '../../../src/domain/ist.ts';
import { epochMs } from '../../../src/domain/units.ts';

export const HEADER: SessionHeader = {
  feed: 'mstock',
  instruments: [instrumentToken(26000), instrumentToken(2885)],
  mode: 'full',
  tickTimeZone: 'ist',
  priceDivisor: 100,
  streamStartedAt: epochMs(1_763_613_000_000),
  part: 1,
  istDate: '2025-11-20' as IstDate,
  startedAt: epochMs(1_763_613_000_000),
  compression: 'gzip',
  recorder: 'test',
};

export interface BuiltSession {
  readonly bytes: Uint8Array;
  /** Where each block starts, and (last) where the file ends. */
  readonly blockStarts: readonly number[];
}

/** A whole session file in memory, as the recorder writes it: the header, then one block per group. */
export const buildSession = (
  groups: readonly (readonly SessionRecord[])[],
  gzip: boolean,
  header: SessionHeader = HEADER,
): BuiltSession => {
  const parts: Uint8Array[] = [encodeFileHeader({ ...header, compression: gzip ? 'gzip' : 'none' })];
  const starts: number[] = [];
  let size = parts[0]?.length ?? 0;
  const buffer = new RecordBuffer();
  for (const group of groups) {
    for (const r of group) buffer.add(r);
    const { payload, count, firstAt } = buffer.take();
    const block = encodeBlock(gzip ? gzipSync(payload) : payload, gzip ? BLOCK_FLAG_GZIP : 0, count, firstAt);
    starts.push(size);
    parts.push(block);
    size += block.length;
  }
  starts.push(size);
  return { bytes: Buffer.concat(parts), blockStarts: starts };
};

/** Records as plain data, so a Buffer view and a Uint8Array of the same bytes compare equal. */
export const plain = (r: SessionRecord): unknown =>
  r.kind === 'binary' ? { ...r, bytes: Buffer.from(r.bytes).toString('hex') } : r;

export interface ReadBack {
  readonly header: SessionHeader | undefined;
  readonly headerProblem: string | undefined;
  readonly records: readonly SessionRecord[];
  readonly ending: SessionEnding | undefined;
}

/** Reads a session from memory the way replay reads a file. */
export const readBack = async (bytes: Uint8Array): Promise<ReadBack> => {
  const source = memoryByteSource(bytes);
  const header = await readSessionHeader(source);
  if (E.isLeft(header)) {
    return { header: undefined, headerProblem: header.left.kind, records: [], ending: undefined };
  }
  const records: SessionRecord[] = [];
  let ending: SessionEnding | undefined;
  for await (const chunk of readSessionBlocks(source, header.right.next)) {
    if (chunk.kind === 'records') records.push(...chunk.records);
    else ending = chunk.ending;
  }
  return { header: header.right.header, headerProblem: undefined, records, ending };
};
