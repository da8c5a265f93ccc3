import { crc32 } from 'node:zlib';

/**
 * One journal record on disk: payload length (u32, big-endian), CRC32 of the payload (u32,
 * big-endian), then the payload. A crash mid-write leaves a short or mismatching last frame, which
 * the length and the CRC reveal.
 */
export const FRAME_HEADER_BYTES = 8;

/** No record is this large; a header claiming more was torn or is garbage. */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

export const frameLength = (payloadBytes: number): number => FRAME_HEADER_BYTES + payloadBytes;

export const encodeFrame = (payload: Uint8Array): Buffer => {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32(payload), 4);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
};

export type FrameRead =
  | { readonly kind: 'frame'; readonly payload: Buffer; readonly next: number }
  | { readonly kind: 'end' }
  /** The bytes stop inside a frame: torn, if this is the end of the file. */
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'corrupt'; readonly reason: string };

/** Reads the frame that starts at `offset`; the payload is a view into `bytes`, not a copy. */
export const readFrame = (bytes: Buffer, offset: number): FrameRead => {
  if (offset === bytes.length) return { kind: 'end' };
  if (bytes.length - offset < FRAME_HEADER_BYTES) return { kind: 'incomplete' };
  const length = bytes.readUInt32BE(offset);
  if (length > MAX_PAYLOAD_BYTES) return { kind: 'corrupt', reason: `impossible length ${length}` };
  const start = offset + FRAME_HEADER_BYTES;
  if (bytes.length - start < length) return { kind: 'incomplete' };
  const payload = bytes.subarray(start, start + length);
  if (crc32(payload) !== bytes.readUInt32BE(offset + 4)) return { kind: 'corrupt', reason: 'CRC mismatch' };
  return { kind: 'frame', payload, next: start + length };
};
