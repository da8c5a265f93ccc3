import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  FRAME_HEADER_BYTES,
  readFrame,
} from '../../../src/adapters/tick-journal/journal-frame.ts';

describe('journal frame', () => {
  it('reads back any payload it encoded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (payload) => {
        const frame = encodeFrame(payload);
        const read = readFrame(frame, 0);
        expect(read.kind).toBe('frame');
        if (read.kind === 'frame') {
          expect(Buffer.compare(read.payload, payload)).toBe(0);
          expect(read.next).toBe(frame.length);
        }
      }),
    );
  });

  it('calls every strict prefix of a frame incomplete (a torn write)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), (payload, cut) => {
        const frame = encodeFrame(payload);
        const prefix = frame.subarray(0, 1 + (cut % (frame.length - 1)));
        expect(readFrame(prefix, 0).kind).toBe('incomplete');
      }),
    );
  });

  it('calls a frame whose payload changed corrupt', () => {
    const frame = encodeFrame(Buffer.from('{"token":"26000"}'));
    frame[FRAME_HEADER_BYTES + 3] = 0x41;
    expect(readFrame(frame, 0)).toEqual({ kind: 'corrupt', reason: 'CRC mismatch' });
  });

  it('calls an impossible length corrupt rather than waiting for gigabytes', () => {
    const frame = Buffer.alloc(16);
    frame.writeUInt32BE(0xffffffff, 0);
    expect(readFrame(frame, 0).kind).toBe('corrupt');
  });

  it('reports the end exactly at the end of the bytes', () => {
    const frame = encodeFrame(Buffer.from('x'));
    expect(readFrame(frame, frame.length)).toEqual({ kind: 'end' });
  });
});
