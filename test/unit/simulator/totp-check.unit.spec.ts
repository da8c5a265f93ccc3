import { describe, expect, it } from 'vitest';
import { decodeBase32, totpAt, verifyTotp } from '../../../src/simulator/totp-check.ts';

/** RFC 6238 appendix B, SHA1 key "12345678901234567890"; the RFC's 8-digit codes cut to 6 digits. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const VECTORS: readonly (readonly [number, string])[] = [
  [59, '287082'],
  [1_111_111_109, '081804'],
  [1_111_111_111, '050471'],
  [1_234_567_890, '005924'],
  [2_000_000_000, '279037'],
  [20_000_000_000, '353130'],
];

describe('simulator TOTP check', () => {
  it('decodes base32 as RFC 4648 says', () => {
    expect(decodeBase32(RFC_SECRET)?.toString('ascii')).toBe('12345678901234567890');
    expect(decodeBase32('gezd gnbv-gy3t qojq')?.toString('ascii')).toBe('1234567890');
    expect(decodeBase32('not base32!')).toBeUndefined();
  });

  it.each(VECTORS)('gives the RFC 6238 code at %i s', (seconds, code) => {
    expect(totpAt(RFC_SECRET, seconds * 1000)).toBe(code);
  });

  it('accepts the code of the step before and after, and no other', () => {
    const at = 1_234_567_890_000;
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, at - 30_000)!, [at])).toBe(true);
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, at + 30_000)!, [at])).toBe(true);
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, at - 60_000)!, [at])).toBe(false);
    expect(verifyTotp(RFC_SECRET, '12345', [at])).toBe(false);
  });

  it('accepts a code valid at any of the instants given (market clock or wall clock)', () => {
    const market = 1_700_000_000_000;
    const wall = 1_800_000_000_000;
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, wall)!, [market, wall])).toBe(true);
    expect(verifyTotp(RFC_SECRET, totpAt(RFC_SECRET, wall)!, [market])).toBe(false);
  });
});
