import { MemoryMetrics } from '../../src/adapters/memory/memory-metrics.ts';
import { PrometheusMetrics } from '../../src/adapters/prometheus/prometheus-metrics.ts';
import { metricsContract } from '../contract/metrics.contract.ts';

metricsContract('memory', () => {
  const metrics = new MemoryMetrics();
  return {
    metrics,
    read: (name, labels) => Promise.resolve(metrics.value(name, labels)),
    readHistogram: (name) => {
      const seen = metrics.observed(name);
      return Promise.resolve({ count: seen.length, sum: seen.reduce((a, b) => a + b, 0) });
    },
  };
});

metricsContract('prometheus', () => {
  const metrics = new PrometheusMetrics({ defaultMetrics: false });
  const sample = async (
    name: string,
    labels: Readonly<Record<string, string>> = {},
  ): Promise<number | undefined> => {
    const all = await metrics.registry.getMetricsAsJSON();
    for (const family of all) {
      for (const v of family.values) {
        const vl = v.labels as Record<string, string | number>;
        const wanted = Object.entries(labels);
        if (
          ('metricName' in v ? v.metricName : family.name) === name &&
          wanted.length === Object.keys(vl).length &&
          wanted.every(([k, x]) => vl[k] === x)
        ) {
          return v.value;
        }
      }
    }
    return undefined;
  };
  return {
    metrics,
    read: sample,
    readHistogram: async (name) => ({
      count: (await sample(`${name}_count`)) ?? 0,
      sum: (await sample(`${name}_sum`)) ?? 0,
    }),
  };
});
