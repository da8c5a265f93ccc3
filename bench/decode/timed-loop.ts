import { median } from '../support/stats.ts';

/** A loop body: decodes `iterations` frames and returns a count, so the work cannot be skipped. */
export type LoopBody = (iterations: number) => number;

export interface LoopTiming {
  /** Frames decoded per second in each timed run. */
  readonly framesPerSecond: readonly number[];
  readonly medianFramesPerSecond: number;
  readonly iterationsPerRun: number;
}

let blackhole = 0;

const timeOnce = (body: LoopBody, iterations: number): number => {
  const started = performance.now();
  blackhole ^= body(iterations);
  return performance.now() - started;
};

/**
 * Warm-up, then `runs` timed runs of about `runMs` each, on this thread. The warm-up doubles the
 * iteration count until one run takes a quarter of `runMs`: by then the body is optimised, and
 * the count for a full run follows from it.
 */
export const timeLoop = (body: LoopBody, runs: number, runMs: number): LoopTiming => {
  let iterations = 16;
  let elapsed = timeOnce(body, iterations);
  while (elapsed < runMs / 4) {
    iterations *= 2;
    elapsed = timeOnce(body, iterations);
  }
  const perRun = Math.max(1, Math.round((iterations * runMs) / Math.max(elapsed, 1e-3)));
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) rates.push(perRun / (timeOnce(body, perRun) / 1000));
  return { framesPerSecond: rates, medianFramesPerSecond: median(rates), iterationsPerRun: perRun };
};

/** Keeps the loop results observable to the optimiser; returns nothing useful. */
export const sinkValue = (): number => blackhole;
