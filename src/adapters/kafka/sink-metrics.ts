import type { Counter, Gauge, Histogram, Metrics } from '../../ports/metrics.ts';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The sink's instruments, created once with their labels bound: the hot path only calls them. */
export interface SinkMetrics {
  readonly queueDepth: Gauge;
  readonly journalBytes: Gauge;
  readonly journalLimitBytes: Gauge;
  readonly oldestUnackedAge: Gauge;
  readonly spilling: Gauge;
  readonly droppedJournalFull: Counter;
  readonly droppedUndecodable: Counter;
  readonly tornRecords: Counter;
  readonly published: Counter;
  readonly latency: Histogram;
  readonly batchesOk: Counter;
  readonly batchesFailed: Counter;
}

export const sinkMetrics = (m: Metrics): SinkMetrics => {
  const dropped = 'Ticks the sink dropped, by reason';
  const batches = 'Kafka sends, by outcome';
  return {
    queueDepth: m.gauge('sink_queue_depth', 'Ticks in memory waiting for Kafka'),
    journalBytes: m.gauge('sink_journal_bytes', 'Bytes in the local tick journal'),
    // Set once: lets an alert compare sink_journal_bytes with the configured limit.
    journalLimitBytes: m.gauge('sink_journal_limit_bytes', 'SINK_JOURNAL_MAX_BYTES, the journal size limit'),
    oldestUnackedAge: m.gauge(
      'sink_oldest_unacked_age_seconds',
      'Age of the oldest tick Kafka has not acknowledged',
    ),
    spilling: m.gauge('sink_spilling', '1 while ticks go through the local journal'),
    droppedJournalFull: m.counter('sink_ticks_dropped_total', dropped, { reason: 'journal-full' }),
    droppedUndecodable: m.counter('sink_ticks_dropped_total', dropped, { reason: 'undecodable' }),
    tornRecords: m.counter('sink_journal_torn_records_total', 'Torn journal records truncated at start'),
    published: m.counter('ticks_published_total', 'Ticks acknowledged by Kafka'),
    latency: m.histogram('kafka_publish_latency_seconds', 'Time of one Kafka send', LATENCY_BUCKETS),
    batchesOk: m.counter('kafka_batches_total', batches, { outcome: 'ok' }),
    batchesFailed: m.counter('kafka_batches_total', batches, { outcome: 'error' }),
  };
};
