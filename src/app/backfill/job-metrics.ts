import type { PlanProgress } from '../../domain/backfill-plan-queries.ts';
import type { Counter, Gauge, Metrics } from '../../ports/metrics.ts';

/**
 * `batch_job_status`, one gauge: 0 idle (no job has run, or the last one was cancelled by a
 * shutdown), 1 running, 2 succeeded, 3 failed (a stage gave up, or chunks were given up).
 */
export const BATCH_JOB_STATUS = { idle: 0, running: 1, succeeded: 2, failed: 3 } as const;
export type BatchJobStatus = keyof typeof BATCH_JOB_STATUS;

type ChunkState = 'pending' | 'failed' | 'fetched' | 'published' | 'given_up';

/** The parent's own backfill metrics; the stages' metrics are folded in beside them. */
export class JobMetrics {
  private readonly status: Gauge;
  private readonly chunks: Readonly<Record<ChunkState, Gauge>>;
  readonly barsPublished: Counter;

  constructor(metrics: Metrics) {
    this.status = metrics.gauge(
      'batch_job_status',
      'Backfill job: 0 idle, 1 running, 2 succeeded, 3 failed (the last job that ended)',
    );
    const help = 'Chunks of the current (or last) backfill plan by state';
    this.chunks = {
      pending: metrics.gauge('backfill_chunks', help, { state: 'pending' }),
      failed: metrics.gauge('backfill_chunks', help, { state: 'failed' }),
      fetched: metrics.gauge('backfill_chunks', help, { state: 'fetched' }),
      published: metrics.gauge('backfill_chunks', help, { state: 'published' }),
      given_up: metrics.gauge('backfill_chunks', help, { state: 'given_up' }),
    };
    this.barsPublished = metrics.counter(
      'backfill_bars_published_total',
      'Candles published as ticks and flushed by backfill jobs',
    );
  }

  setStatus(status: BatchJobStatus): void {
    this.status.set(BATCH_JOB_STATUS[status]);
  }

  setProgress(p: PlanProgress): void {
    this.chunks.pending.set(p.pending);
    this.chunks.failed.set(p.failed);
    this.chunks.fetched.set(p.fetched);
    this.chunks.published.set(p.published);
    this.chunks.given_up.set(p.givenUp);
  }
}
