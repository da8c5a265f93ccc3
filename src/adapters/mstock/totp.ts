import { createHmac } from 'node:crypto';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export class InvalidTotpSecret extends Error {
  constructor() {
    // Never echo the secret, nor the offending character (it is part of the secret).
    super('the TOTP secret is not valid base32 (RFC 4648: A-Z and 2-7)');
    this.name = 'InvalidTotpSecret';
  }
}

/**
 * RFC 4648 base32, as authenticator apps show TOTP secrets: case, spaces, dashes and `=` padding
 * are ignored.
 */
export const decodeBase32 = (text: string): Uint8Array => {
  const clean = text.toUpperCase().replace(/[\s-]/g, '').replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const ch of clean) {
    const value = BASE32_ALPHABET.indexOf(ch);
    if (value < 0) throw new InvalidTotpSecret();
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
};

export interface TotpOptions {
  /** RFC 6238 defaults, which authenticator apps and m.Stock use: SHA-1, 30 s, 6 digits. */
  readonly algorithm?: 'sha1' | 'sha256' | 'sha512';
  readonly stepSeconds?: number;
  readonly digits?: number;
}

/** RFC 4226 HOTP of `counter` under `key`, with RFC 6238's choice of hash. */
export const hotp = (key: Uint8Array, counter: number, options: TotpOptions = {}): string => {
  const digits = options.digits ?? 6;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(options.algorithm ?? 'sha1', key)
    .update(message)
    .digest();
  // Dynamic truncation, RFC 4226 §5.3.
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const code = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(code % 10 ** digits).padStart(digits, '0');
};

/** The RFC 6238 code for the raw key at `atMs` (epoch milliseconds). */
export const totpFromKey = (key: Uint8Array, atMs: number, options: TotpOptions = {}): string =>
  hotp(key, Math.floor(atMs / 1000 / (options.stepSeconds ?? 30)), options);

/** The RFC 6238 code for a base32 secret (MSTOCK_TOTP_SECRET) at `atMs`. */
export const totp = (base32Secret: string, atMs: number, options: TotpOptions = {}): string =>
  totpFromKey(decodeBase32(base32Secret), atMs, options);
