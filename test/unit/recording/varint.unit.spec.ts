import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  readVarint,
  unzigzag,
  varintLength,
  writeVarint,
  zigzag,
  type VarintRead,
} from '../../../src/adapters/recording/varint.ts';

describe('varints', () => {
  it('round-trip every safe integer through zigzag and LEB128, in the length they claim', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        const half = Math.trunc(n / 2) + 0; // zigzag doubles: halve so the result stays safe (+ 0: no -0)
        const z = zigzag(half);
        const out = new Uint8Array(varintLength(z));
        expect(writeVarint(out, 0, z)).toBe(out.length);
        const r: VarintRead = { value: -1, next: -1 };
        expect(readVarint(out, 0, r)).toBe(true);
        expect(r).toEqual({ value: z, next: out.length });
        expect(unzigzag(r.value)).toBe(half);
      }),
    );
  });

  it('refuses a varint cut short or longer than any safe integer needs', () => {
    const r: VarintRead = { value: 0, next: 0 };
    expect(readVarint(Uint8Array.of(0x80, 0x80), 0, r)).toBe(false);
    expect(readVarint(new Uint8Array(9).fill(0xff), 0, r)).toBe(false);
    expect(readVarint(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), 0, r)).toBe(false);
  });
});
