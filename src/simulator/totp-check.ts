import { createHmac } from 'node:crypto';

/** RFC 6238 as m.Stock uses it (mstock-protocol.md, "Login"): HMAC-SHA1, 30 s steps, 6 digits. */
const STEP_SECONDS = 30;
const DIGITS = 6;
/** Codes of the step before and after are accepted too, for clock skew. */
const WINDOW = 1;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32; spaces, dashes and padding ignored, case-insensitive. Undefined when invalid. */
export const decodeBase32 = (text: string): Buffer | undefined => {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = BASE32.indexOf(ch);
    if (v < 0) return undefined;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
};

/** The HOTP value (RFC 4226) of `key` at `counter`, as a zero-padded 6-digit string. */
export const hotp = (key: Buffer, counter: number): string => {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** DIGITS;
  return code.toString().padStart(DIGITS, '0');
};

/** The TOTP code of a base32 secret at an instant (epoch ms). */
export const totpAt = (secretBase32: string, atMs: number): string | undefined => {
  const key = decodeBase32(secretBase32);
  return key === undefined ? undefined : hotp(key, Math.floor(atMs / 1000 / STEP_SECONDS));
};

/** True when `code` is the TOTP of the secret at one of the instants, give or take one step. */
export const verifyTotp = (secretBase32: string, code: string, instants: readonly number[]): boolean => {
  const key = decodeBase32(secretBase32);
  if (key === undefined || !/^\d{6}$/.test(code)) return false;
  return instants.some((at) => {
    const step = Math.floor(at / 1000 / STEP_SECONDS);
    for (let d = -WINDOW; d <= WINDOW; d++) if (hotp(key, step + d) === code) return true;
    return false;
  });
};
