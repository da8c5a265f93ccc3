import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../src/ports/metrics.ts';

/** An adapter under test, and a way to read a series' current value back. */
export interface MetricsHarness {
  readonly metrics: Metrics;
  readonly read: (name: string, labels?: Readonly<Record<string, string>>) => Promise<number | undefined>;
  /** Observations recorded for a histogram series: count and sum. */
  readonly readHistogram: (name: string) => Promise<{ count: number; sum: number }>;
}

/** What every Metrics adapter promises (src/ports/metrics.ts). */
export const metricsContract = (name: string, make: () => MetricsHarness): void => {
  describe(`Metrics contract: ${name}`, () => {
    it('counts, and the same name and labels give the same series', async () => {
      const h = make();
      h.metrics.counter('c_total', 'help', { endpoint: 'login', status: '200' }).inc();
      h.metrics.counter('c_total', 'help', { status: '200', endpoint: 'login' }).inc(2);
      h.metrics.counter('c_total', 'help', { endpoint: 'login', status: '500' }).inc();
      expect(await h.read('c_total', { endpoint: 'login', status: '200' })).toBe(3);
      expect(await h.read('c_total', { endpoint: 'login', status: '500' })).toBe(1);
    });

    it('sets, raises and lowers gauges', async () => {
      const h = make();
      const g = h.metrics.gauge('g', 'help');
      g.set(10);
      g.inc(5);
      g.dec(2);
      expect(await h.read('g')).toBe(13);
    });

    it('records histogram observations', async () => {
      const h = make();
      const hist = h.metrics.histogram('h_seconds', 'help', [0.1, 1]);
      hist.observe(0.05);
      hist.observe(2);
      expect(await h.readHistogram('h_seconds')).toEqual({ count: 2, sum: 2.05 });
    });
  });
};
