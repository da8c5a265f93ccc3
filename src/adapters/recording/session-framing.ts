import { crc32 } from 'node:zlib';
import { either as E } from 'fp-ts';
import type { EpochMs } from '../../domain/units.ts';
import { decodeSessionHeader, encodeSessionHeader, type SessionHeader } from './session-header.ts';

/**
 * The byte layout of a session file (all integers big-endian). Pure: no I/O, no compression.
 *
 *   file   = prelude, header JSON, u32 CRC32(version .. end of JSON), then blocks
 *   prelude= 8-byte magic "\x89TFREC\r\n", u16 format version, u32 header JSON length
 *   block  = u32 marker "TFBK", u8 flags (bit 0: payload gzipped), u32 record count,
 *            i64 time of the first record (epoch ms), u32 stored payload length,
 *            u32 CRC32(flags .. stored length, then the stored payload), the stored payload
 *
 * The magic's first byte is not ASCII and it ends in CR LF, as PNG's does, so a text file or a
 * transfer that rewrote line ends is caught at once. A block is written whole and checked whole:
 * a crash can only leave a torn last block, which the length and CRC reveal.
 */
export const SESSION_MAGIC: Uint8Array = Uint8Array.of(0x89, 0x54, 0x46, 0x52, 0x45, 0x43, 0x0d, 0x0a);
/** Bumped only when the layout of the prelude, blocks or records changes; header fields may be added freely. */
export const SESSION_FORMAT_VERSION = 1;
const PRELUDE_BYTES = 14;
const MAX_HEADER_JSON_BYTES = 1 << 20;

const BLOCK_MARKER = 0x5446424b; // "TFBK"
export const BLOCK_HEADER_BYTES = 25;
export const BLOCK_FLAG_GZIP = 1;
/** No block is this large (the recorder seals them far smaller); a length above it is damage. */
export const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

const u32 = (n: number): number => n >>> 0;

export const encodeFileHeader = (header: SessionHeader): Uint8Array => {
  const json = new TextEncoder().encode(encodeSessionHeader(header));
  const out = new Uint8Array(PRELUDE_BYTES + json.length + 4);
  const view = new DataView(out.buffer);
  out.set(SESSION_MAGIC, 0);
  view.setUint16(8, SESSION_FORMAT_VERSION);
  view.setUint32(10, json.length);
  out.set(json, PRELUDE_BYTES);
  view.setUint32(PRELUDE_BYTES + json.length, crc32(out.subarray(8, PRELUDE_BYTES + json.length)));
  return out;
};

export type HeaderRead =
  | { readonly kind: 'header'; readonly header: SessionHeader; readonly next: number }
  /** The header needs `needed` bytes from the start of the file; fewer were given. */
  | { readonly kind: 'incomplete'; readonly needed: number }
  | { readonly kind: 'not-a-session' }
  | { readonly kind: 'unsupported-version'; readonly version: number }
  | { readonly kind: 'corrupt'; readonly reason: string };

/** Reads the header from the first bytes of a file (all of it, or a prefix). */
export const readFileHeader = (bytes: Uint8Array): HeaderRead => {
  const magicPart = Math.min(bytes.length, SESSION_MAGIC.length);
  for (let i = 0; i < magicPart; i++) if (bytes[i] !== SESSION_MAGIC[i]) return { kind: 'not-a-session' };
  if (bytes.length < PRELUDE_BYTES) return { kind: 'incomplete', needed: PRELUDE_BYTES };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The version is checked before anything else it governs, so a newer file is refused by name.
  const version = view.getUint16(8);
  if (version > SESSION_FORMAT_VERSION) return { kind: 'unsupported-version', version };
  if (version === 0) return { kind: 'corrupt', reason: 'format version 0' };
  const length = view.getUint32(10);
  if (length > MAX_HEADER_JSON_BYTES) return { kind: 'corrupt', reason: `header length ${length}` };
  const end = PRELUDE_BYTES + length;
  if (bytes.length < end + 4) return { kind: 'incomplete', needed: end + 4 };
  if (crc32(bytes.subarray(8, end)) !== view.getUint32(end)) {
    return { kind: 'corrupt', reason: 'header CRC mismatch' };
  }
  const header = decodeSessionHeader(new TextDecoder().decode(bytes.subarray(PRELUDE_BYTES, end)));
  if (E.isLeft(header)) return { kind: 'corrupt', reason: header.left };
  return { kind: 'header', header: header.right, next: end + 4 };
};

/** The CRC of a block: its header fields after the marker, then its stored payload. */
const blockCrc = (fields: Uint8Array, stored: Uint8Array): number => u32(crc32(stored, crc32(fields)));

export const encodeBlock = (
  stored: Uint8Array,
  flags: number,
  count: number,
  firstAt: EpochMs,
): Uint8Array => {
  const out = new Uint8Array(BLOCK_HEADER_BYTES + stored.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, BLOCK_MARKER);
  view.setUint8(4, flags);
  view.setUint32(5, count);
  view.setBigInt64(9, BigInt(firstAt));
  view.setUint32(17, stored.length);
  view.setUint32(21, blockCrc(out.subarray(4, 21), stored));
  out.set(stored, BLOCK_HEADER_BYTES);
  return out;
};

export type BlockRead =
  | {
      readonly kind: 'block';
      readonly gzip: boolean;
      readonly count: number;
      readonly firstAt: EpochMs;
      /** A view into the given bytes. */
      readonly stored: Uint8Array;
      readonly next: number;
    }
  /** No bytes left at `offset`: the blocks ended there. */
  | { readonly kind: 'end' }
  /** The block at `offset` needs `needed` bytes from there; fewer were given. */
  | { readonly kind: 'incomplete'; readonly needed: number }
  | { readonly kind: 'corrupt'; readonly reason: string };

/** Reads the block that starts at `offset`. */
export const readBlock = (bytes: Uint8Array, offset: number): BlockRead => {
  const left = bytes.length - offset;
  if (left === 0) return { kind: 'end' };
  if (left < BLOCK_HEADER_BYTES) {
    // Check the marker bytes present, so garbage is called garbage rather than a torn block.
    const marker = Uint8Array.of(0x54, 0x46, 0x42, 0x4b);
    for (let i = 0; i < Math.min(left, 4); i++) {
      if (bytes[offset + i] !== marker[i]) return { kind: 'corrupt', reason: 'no block marker' };
    }
    return { kind: 'incomplete', needed: BLOCK_HEADER_BYTES };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, left);
  if (view.getUint32(0) !== BLOCK_MARKER) return { kind: 'corrupt', reason: 'no block marker' };
  const length = view.getUint32(17);
  if (length > MAX_BLOCK_BYTES) return { kind: 'corrupt', reason: `block length ${length}` };
  const needed = BLOCK_HEADER_BYTES + length;
  if (left < needed) return { kind: 'incomplete', needed };
  const stored = bytes.subarray(offset + BLOCK_HEADER_BYTES, offset + needed);
  if (blockCrc(bytes.subarray(offset + 4, offset + 21), stored) !== view.getUint32(21)) {
    return { kind: 'corrupt', reason: 'block CRC mismatch' };
  }
  const flags = view.getUint8(4);
  if ((flags & ~BLOCK_FLAG_GZIP) !== 0) return { kind: 'corrupt', reason: `unknown block flags ${flags}` };
  const firstAt = view.getBigInt64(9);
  if (firstAt > BigInt(Number.MAX_SAFE_INTEGER) || firstAt < BigInt(Number.MIN_SAFE_INTEGER)) {
    return { kind: 'corrupt', reason: 'block time out of range' };
  }
  return {
    kind: 'block',
    gzip: (flags & BLOCK_FLAG_GZIP) !== 0,
    count: view.getUint32(5),
    firstAt: Number(firstAt) as EpochMs,
    stored,
    next: offset + needed,
  };
};
