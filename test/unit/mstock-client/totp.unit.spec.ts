import { describe, expect, it } from 'vitest';
import { decodeBase32, InvalidTotpSecret, totp, totpFromKey } from '../../../src/adapters/mstock/totp.ts';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

// RFC 6238 Appendix B: the seeds are ASCII strings; codes are 8 digits.
const SEEDS = {
  sha1: ascii('12345678901234567890'),
  sha256: ascii('12345678901234567890123456789012'),
  sha512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
} as const;
const VECTORS: readonly [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)(
    'at %i s gives the RFC codes for SHA-1, SHA-256 and SHA-512',
    (seconds, sha1, sha256, sha512) => {
      const at = seconds * 1000;
      expect(totpFromKey(SEEDS.sha1, at, { digits: 8 })).toBe(sha1);
      expect(totpFromKey(SEEDS.sha256, at, { digits: 8, algorithm: 'sha256' })).toBe(sha256);
      expect(totpFromKey(SEEDS.sha512, at, { digits: 8, algorithm: 'sha512' })).toBe(sha512);
    },
  );

  it('reads a base32 secret and defaults to 6 digits, SHA-1, 30-second steps', () => {
    // base32 of the SHA-1 seed; the 6-digit code is the last six digits of the 8-digit one.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totp(secret, 59_000)).toBe('287082');
    expect(totp(secret, 1_111_111_109_000)).toBe('081804');
    // The same code throughout one 30-second step, a new one at the next.
    expect(totp(secret, 30_000)).toBe(totp(secret, 59_999));
    expect(totp(secret, 60_000)).not.toBe(totp(secret, 59_999));
  });
});

describe('decodeBase32 (RFC 4648 §10)', () => {
  it.each([
    ['', ''],
    ['MY======', 'f'],
    ['MZXQ====', 'fo'],
    ['MZXW6===', 'foo'],
    ['MZXW6YQ=', 'foob'],
    ['MZXW6YTB', 'fooba'],
    ['MZXW6YTBOI======', 'foobar'],
  ])('%s decodes to "%s"', (encoded, plain) => {
    expect(new TextDecoder().decode(decodeBase32(encoded))).toBe(plain);
  });

  it('ignores case, spaces and dashes, as authenticator apps print secrets', () => {
    expect(decodeBase32('mzxw 6ytb-oi')).toEqual(decodeBase32('MZXW6YTBOI'));
  });

  it('refuses characters outside the alphabet without echoing the secret', () => {
    const secret = 'SECRET1SECRET';
    expect(() => decodeBase32(secret)).toThrow(InvalidTotpSecret);
    try {
      decodeBase32(secret);
    } catch (e) {
      expect(String(e)).not.toContain(secret);
      expect(String(e)).not.toContain('1');
    }
  });
});
