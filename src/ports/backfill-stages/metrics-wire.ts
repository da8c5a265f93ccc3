import * as t from 'io-ts';

/**
 * Metric updates as a child process sends them to its parent, batched. Each entry names its series
 * in full (name, help, labels), so the parent needs no earlier message to apply it and a restarted
 * child needs no handshake:
 * - `counter`: the increase since the last batch;
 * - `gauge`: the value now (a child's gauge is its own; the last batch wins);
 * - `histogram`: the values observed since the last batch.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/;
/** Far above what one batch of a backfill child holds; a bigger one is refused whole. */
export const MAX_SERIES_PER_BATCH = 10_000;
export const MAX_OBSERVATIONS_PER_SERIES = 100_000;

const MetricName = t.refinement(t.string, (s) => METRIC_NAME.test(s), 'a metric name');
const Finite = t.refinement(t.number, Number.isFinite, 'a finite number');
const NonNegative = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0, 'a number >= 0');
const Labels = t.refinement(
  t.record(t.string, t.string),
  (r) => Object.keys(r).every((k) => LABEL_NAME.test(k) && !k.startsWith('__')),
  'labels (name → value)',
);
const Help = t.refinement(t.string, (s) => s.length <= 1000, 'a help text');

const Series = t.intersection([t.type({ name: MetricName, help: Help }), t.partial({ labels: Labels })]);

export const MetricUpdateC = t.union([
  t.intersection([Series, t.type({ kind: t.literal('counter'), inc: NonNegative })]),
  t.intersection([Series, t.type({ kind: t.literal('gauge'), value: Finite })]),
  t.intersection([
    Series,
    t.type({
      kind: t.literal('histogram'),
      buckets: t.refinement(t.array(Finite), (b) => b.length > 0 && b.length <= 100, 'bucket bounds'),
      values: t.refinement(
        t.array(Finite),
        (v) => v.length <= MAX_OBSERVATIONS_PER_SERIES,
        'observed values',
      ),
    }),
  ]),
]);
export type MetricUpdate = t.TypeOf<typeof MetricUpdateC>;

export const MetricsBatchC = t.type({
  type: t.literal('metrics'),
  updates: t.refinement(t.array(MetricUpdateC), (a) => a.length <= MAX_SERIES_PER_BATCH, 'metric updates'),
});
export type MetricsBatch = t.TypeOf<typeof MetricsBatchC>;
