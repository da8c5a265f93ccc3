/**
 * SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, as 64 hex digits. Plan ids derived from a request
 * carry a prefix of it, so it must stay exactly SHA-256: ids already in an event log must be found
 * again. Written out here because the use cases are pure (no `node:crypto`) and Web Crypto's digest
 * is asynchronous; inputs are a few hundred bytes, so speed does not matter.
 */

const PRIMES = ((): number[] => {
  const out: number[] = [];
  for (let n = 2; out.length < 64; n++) if (out.every((p) => n % p !== 0)) out.push(n);
  return out;
})();

/** The first 32 bits of the fractional part of `x`. */
const fraction32 = (x: number): number => Math.floor((x - Math.floor(x)) * 2 ** 32) >>> 0;

// Initial hash: square roots of the first 8 primes; round constants: cube roots of the first 64.
const INITIAL = PRIMES.slice(0, 8).map((p) => fraction32(Math.sqrt(p)));
const ROUND = PRIMES.map((p) => fraction32(Math.cbrt(p)));

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** The message padded to a multiple of 64 bytes: a 1 bit, zeros, and the bit length (64-bit big-endian). */
const padded = (bytes: Uint8Array): DataView => {
  const length = Math.ceil((bytes.length + 9) / 64) * 64;
  const block = new Uint8Array(length);
  block.set(bytes);
  block[bytes.length] = 0x80;
  const view = new DataView(block.buffer);
  const bits = bytes.length * 8;
  view.setUint32(length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(length - 4, bits >>> 0);
  return view;
};

export const sha256Hex = (text: string): string => {
  const message = padded(new TextEncoder().encode(text));
  const h = [...INITIAL];
  const w = new Array<number>(64).fill(0);
  for (let offset = 0; offset < message.byteLength; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = message.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15] ?? 0;
      const b = w[i - 2] ?? 0;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[i] = ((w[i - 16] ?? 0) + s0 + (w[i - 7] ?? 0) + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const choice = (e & f) ^ (~e & g);
      const t1 = (hh + s1 + choice + (ROUND[i] ?? 0) + (w[i] ?? 0)) >>> 0;
      const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + majority) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    [a, b, c, d, e, f, g, hh].forEach((v, i) => (h[i] = ((h[i] ?? 0) + v) >>> 0));
  }
  return h.map((v) => v.toString(16).padStart(8, '0')).join('');
};
