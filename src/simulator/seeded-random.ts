/**
 * Seeded randomness for the simulated market. Every random choice of the simulator comes from
 * here, so one seed gives the same market; candles use a generator seeded by (seed, token, day)
 * so a past day's bars do not depend on what was asked before.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
}

/** FNV-1a over the parts, then a murmur3 finaliser: a well-mixed 32-bit seed from any key. */
export const hashSeed = (...parts: readonly (number | string)[]): number => {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = `${String(part)}\u0000`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return mix32(h);
};

/** A cheap integer hash (murmur3 fmix32): depth quantities are drawn from it, allocation-free. */
export const mix32 = (x: number): number => {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** sfc32 (Chris Doty-Humphrey's small fast counter generator), seeded through splitmix32. */
export const makeRandom = (seed: number): Random => {
  let s = seed | 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) | 0;
    return mix32(s);
  };
  let a = split();
  let b = split();
  let c = split();
  let d = 1;
  const next32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  const next = (): number => next32() / 4_294_967_296;
  let spare = Number.NaN;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      // Box–Muller, keeping the second value for the next call.
      if (!Number.isNaN(spare)) {
        const v = spare;
        spare = Number.NaN;
        return v;
      }
      const u = 1 - next();
      const r = Math.sqrt(-2 * Math.log(u));
      const theta = 2 * Math.PI * next();
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
  };
};
