/**
 * A Prometheus histogram read from a /metrics page: cumulative counts by upper bound (`le`).
 * Two readings subtracted give the observations in between; a quantile is then known only to
 * the bucket it falls in, so it is reported as that bucket's upper bound.
 */
export type Buckets = ReadonlyMap<number, number>;

export const readBuckets = (page: string, name: string): Buckets => {
  const out = new Map<number, number>();
  const line = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} ([0-9.e+-]+)$`, 'gm');
  for (const m of page.matchAll(line)) {
    const le = m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
    out.set(le, Number(m[2]));
  }
  return out;
};

/** The upper bound of the bucket holding quantile q (0..1) of what was observed from `before` to `after`. */
export const bucketQuantile = (before: Buckets, after: Buckets, q: number): number => {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  if (total <= 0) return Number.NaN;
  for (const le of bounds) {
    const seen = (after.get(le) ?? 0) - (before.get(le) ?? 0);
    if (seen >= q * total) return le;
  }
  return Number.POSITIVE_INFINITY;
};

export const observations = (before: Buckets, after: Buckets): number =>
  (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
