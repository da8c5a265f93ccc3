import { loadavg } from 'node:os';

/**
 * Benchmark output: one JSON object per line on stdout, one line per figure, so `npm run bench`
 * can be piped to a file or to `jq`. Progress and notes go to stderr and never mix with figures.
 */
export type BenchValue = string | number | boolean | null | readonly (string | number)[];
export type BenchLine = { readonly bench: string; readonly case: string } & Readonly<
  Record<string, BenchValue>
>;

export const emit = (line: BenchLine): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

export const note = (text: string): void => {
  process.stderr.write(`[bench] ${text}\n`);
};

/** A figure held against its target: `met` is reported, never enforced. */
export const against = (
  value: number,
  target: number,
  direction: 'atLeast' | 'atMost',
): { readonly target: number; readonly met: boolean } => ({
  target,
  met: direction === 'atLeast' ? value >= target : value <= target,
});

/** Rounds a figure for output: whole numbers stay whole, others keep `digits` decimals. */
export const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/**
 * The machine's 1-minute load average when a figure was taken: the benchmarks share 2 cores with
 * whatever else runs (other builds, CI), and a figure read without it can mislead.
 */
export const machineLoad = (): { readonly load1m: number } => ({ load1m: round(loadavg()[0] ?? 0) });
