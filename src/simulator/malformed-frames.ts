import { encodeFrame, encodePacket, type PacketFields } from './encode-frame.ts';
import type { MalformedFrameKind } from './fault-state.ts';

/** A broken frame of `kind` around good packets of `fields`, and how many good packets it holds. */
export const malformedFrame = (
  kind: MalformedFrameKind,
  fields: PacketFields,
): { readonly frame: Uint8Array; readonly goodPackets: number } => {
  const good = encodePacket(fields, 'ltp8');
  switch (kind) {
    case 'unknown-length':
      return { frame: encodeFrame([good, new Uint8Array(50).fill(0x7f), good]), goodPackets: 2 };
    case 'zero-length':
      return { frame: encodeFrame([good, new Uint8Array(0), good]), goodPackets: 2 };
    case 'count-too-high': {
      const frame = encodeFrame([good, good]);
      new DataView(frame.buffer).setUint16(0, 3);
      return { frame, goodPackets: 2 };
    }
    case 'length-past-end': {
      const frame = encodeFrame([good, encodePacket(fields, 'quote44')]);
      // Keep the 44-byte length prefix and 8 bytes of its packet: the length runs past the end.
      return { frame: frame.subarray(0, 2 + 10 + 2 + 8), goodPackets: 1 };
    }
    case 'truncated': {
      const frame = encodeFrame([good, encodePacket(fields, 'quote44')]);
      return { frame: frame.subarray(0, frame.length - 20), goodPackets: 1 };
    }
  }
};
