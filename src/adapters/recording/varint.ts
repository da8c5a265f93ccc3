/**
 * Unsigned LEB128 varints for safe integers (up to 2^53 - 1, so arithmetic, not 32-bit bit
 * operations), and zigzag for signed ones (time deltas: a wall clock can step back).
 */

/** Eight 7-bit groups hold 56 bits: enough for any safe integer. */
export const MAX_VARINT_BYTES = 8;

export const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
export const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/** Bytes `n` takes as a varint. */
export const varintLength = (n: number): number => {
  let length = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) length += 1;
  return length;
};

/** Writes `n` (a non-negative safe integer) at `offset`; returns the offset after it. */
export const writeVarint = (out: Uint8Array, offset: number, n: number): number => {
  let v = n;
  let at = offset;
  while (v >= 0x80) {
    out[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[at++] = v;
  return at;
};

/** A varint read from bytes: its value and the offset after it, or undefined if cut short or too long. */
export interface VarintRead {
  value: number;
  next: number;
}

/** Reads a varint at `offset` into `into` (reused, so the hot path allocates nothing); false when invalid. */
export const readVarint = (bytes: Uint8Array, offset: number, into: VarintRead): boolean => {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const at = offset + i;
    if (at >= bytes.length) return false;
    const b = bytes[at] ?? 0;
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (!Number.isSafeInteger(value)) return false;
      into.value = value;
      into.next = at + 1;
      return true;
    }
    scale *= 0x80;
  }
  return false;
};
