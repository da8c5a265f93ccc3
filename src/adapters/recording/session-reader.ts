import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { either as E } from 'fp-ts';
import type { ByteSource } from './byte-source.ts';
import { MAX_BLOCK_BYTES, readBlock, readFileHeader, SESSION_FORMAT_VERSION } from './session-framing.ts';
import type { SessionHeader } from './session-header.ts';
import { decodeRecords, type SessionRecord } from './session-record.ts';

const gunzipAsync = promisify(gunzip);
const READ_CHUNK_BYTES = 1024 * 1024;

/** Why a file cannot be replayed at all. */
export type SessionHeaderProblem =
  | { readonly kind: 'NotASessionFile' }
  | { readonly kind: 'UnsupportedSessionVersion'; readonly version: number; readonly supported: number }
  | { readonly kind: 'SessionHeaderDamaged'; readonly reason: string };

export const describeHeaderProblem = (p: SessionHeaderProblem): string => {
  switch (p.kind) {
    case 'NotASessionFile':
      return 'not a tickflow session file (no session magic at the start)';
    case 'UnsupportedSessionVersion':
      return `session format version ${p.version} was written by a newer tickflow; this one reads version ${p.supported} and older: upgrade tickflow to replay it`;
    case 'SessionHeaderDamaged':
      return `the session header is damaged: ${p.reason}`;
  }
};

export const readSessionHeader = async (
  source: ByteSource,
): Promise<E.Either<SessionHeaderProblem, { readonly header: SessionHeader; readonly next: number }>> => {
  let want = 64 * 1024;
  for (;;) {
    const bytes = await source.read(0, want);
    const r = readFileHeader(bytes);
    switch (r.kind) {
      case 'header':
        return E.right({ header: r.header, next: r.next });
      case 'not-a-session':
        return E.left({ kind: 'NotASessionFile' });
      case 'unsupported-version':
        return E.left({
          kind: 'UnsupportedSessionVersion',
          version: r.version,
          supported: SESSION_FORMAT_VERSION,
        });
      case 'corrupt':
        return E.left({ kind: 'SessionHeaderDamaged', reason: r.reason });
      case 'incomplete':
        if (bytes.length < want || r.needed <= bytes.length) {
          return E.left({
            kind: 'SessionHeaderDamaged',
            reason: `the file ends inside the header (${bytes.length} of ${r.needed} bytes)`,
          });
        }
        want = r.needed;
    }
  }
};

/**
 * How the blocks of a file ended. Only `complete` means the recorder closed the file; the others
 * say where replay stopped (`offset`, a byte position; `block`, counted from 0) and why.
 */
export type SessionEnding =
  | { readonly kind: 'complete' }
  /** The blocks end cleanly but the closing record is missing: the recorder stopped without closing it, or is still writing. */
  | { readonly kind: 'unterminated'; readonly offset: number; readonly block: number }
  | { readonly kind: 'truncated'; readonly offset: number; readonly block: number; readonly reason: string }
  | { readonly kind: 'corrupt'; readonly offset: number; readonly block: number; readonly reason: string };

export const describeEnding = (e: SessionEnding): string => {
  switch (e.kind) {
    case 'complete':
      return 'complete';
    case 'unterminated':
      return `not closed by the recorder (it stopped without closing the file, or is still writing); all ${e.block} blocks read, up to byte ${e.offset}`;
    case 'truncated':
      return `truncated: block ${e.block} at byte ${e.offset} is incomplete (${e.reason}); replayed up to there`;
    case 'corrupt':
      return `corrupt: block ${e.block} at byte ${e.offset}: ${e.reason}; replayed up to there`;
  }
};

/** One whole block's records, with where it lies in the file; or, last, how the blocks ended. */
export type SessionChunk =
  | { readonly kind: 'records'; readonly records: readonly SessionRecord[]; readonly next: number }
  | { readonly kind: 'ending'; readonly ending: SessionEnding };

/**
 * Reads the blocks from `start` (just after the header) to the end of the file or to the first
 * damage, whole blocks only: every block is checked (length, CRC, decompression, records) before
 * any of its records is given out. Never throws on bad bytes; the last chunk says how it ended.
 */
export async function* readSessionBlocks(source: ByteSource, start: number): AsyncGenerator<SessionChunk> {
  let window: Uint8Array = new Uint8Array(0);
  let windowStart = start;
  let offset = start;
  let block = 0;
  let ended = false;
  for (;;) {
    const r = readBlock(window, offset - windowStart);
    if (r.kind === 'end' || r.kind === 'incomplete') {
      const needed = r.kind === 'end' ? 1 : r.needed;
      const available = source.size - offset;
      if (available === 0) {
        yield {
          kind: 'ending',
          ending: ended ? { kind: 'complete' } : { kind: 'unterminated', offset, block },
        };
        return;
      }
      if (available >= needed) {
        window = await source.read(offset, Math.max(needed, READ_CHUNK_BYTES));
        windowStart = offset;
        // A file cut shorter while being read is read as truncated, not read again forever.
        if (window.length >= needed) continue;
      }
      const have = available >= needed ? window.length : available;
      const reason = `the file ends ${have} bytes into it, of at least ${needed}`;
      yield { kind: 'ending', ending: { kind: 'truncated', offset, block, reason } };
      return;
    }
    const damaged = (reason: string): SessionChunk => ({
      kind: 'ending',
      ending: { kind: 'corrupt', offset, block, reason },
    });
    if (r.kind === 'corrupt') {
      yield damaged(r.reason);
      return;
    }
    if (ended) {
      yield damaged('data after the closing record');
      return;
    }
    let payload: Uint8Array = r.stored;
    if (r.gzip) {
      try {
        payload = await gunzipAsync(r.stored, { maxOutputLength: MAX_BLOCK_BYTES });
      } catch (e) {
        yield damaged(`the block does not decompress (${(e as Error).message})`);
        return;
      }
    }
    const decoded = decodeRecords(payload, r.count, r.firstAt);
    if (decoded.kind === 'corrupt') {
      yield damaged(decoded.reason);
      return;
    }
    const endAt = decoded.records.findIndex((x) => x.kind === 'end');
    if (endAt !== -1 && endAt !== decoded.records.length - 1) {
      yield damaged('records after the closing record');
      return;
    }
    ended = endAt !== -1;
    offset = r.next + windowStart;
    block += 1;
    yield { kind: 'records', records: decoded.records, next: offset };
  }
}
