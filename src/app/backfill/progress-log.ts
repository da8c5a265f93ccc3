import type { PlanProgress } from '../../domain/backfill-plan-queries.ts';
import type { PlanId } from '../../domain/backfill-plan-types.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { progressBar } from './progress-printer.ts';

/** Runs `tick` every `ms` until the returned function is called. */
export type Every = (ms: number, tick: () => void) => () => void;

export const everyOnTimers: Every = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

export interface ProgressLogOptions {
  readonly logger: Logger;
  readonly everyMs: number;
  /** Put a text progress bar in the message (a person reads the log on a terminal). */
  readonly bar: boolean;
  /** Wall-clock milliseconds, for the rate. */
  readonly now?: () => number;
  readonly every?: Every;
}

export interface ProgressLog {
  update(planId: PlanId, progress: PlanProgress): void;
  stop(): void;
}

/**
 * A running backfill's progress as an info line every `everyMs`: chunks settled of the total, bars
 * published and their rate since the last line. Also when nothing moved: a stuck job shows as a
 * rate of 0, not as silence.
 */
export const startProgressLog = (options: ProgressLogOptions): ProgressLog => {
  const now = options.now ?? (() => performance.now());
  let latest: { readonly planId: PlanId; readonly progress: PlanProgress } | undefined;
  let previous: { readonly at: number; readonly bars: number } | undefined;
  const tick = (): void => {
    if (latest === undefined || previous === undefined) return;
    const { planId, progress: p } = latest;
    const at = now();
    const seconds = (at - previous.at) / 1000;
    const rate = seconds > 0 ? Math.round((p.publishedBars - previous.bars) / seconds) : 0;
    previous = { at, bars: p.publishedBars };
    options.logger.info(options.bar ? `Backfill progress ${progressBar(p)}` : 'Backfill progress', {
      plan: planId,
      chunksDone: p.published + p.givenUp,
      chunks: p.total,
      bars: p.publishedBars,
      barsPerSecond: rate,
      ...(p.failed > 0 ? { failed: p.failed } : {}),
      ...(p.givenUp > 0 ? { givenUp: p.givenUp } : {}),
    });
  };
  const stop = (options.every ?? everyOnTimers)(options.everyMs, tick);
  return {
    update: (planId, progress) => {
      latest = { planId, progress };
      previous ??= { at: now(), bars: progress.publishedBars };
    },
    stop,
  };
};
