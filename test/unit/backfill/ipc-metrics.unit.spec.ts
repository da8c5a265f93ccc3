import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { MetricsFolder } from '../../../src/app/backfill/metrics-folder.ts';
import { IpcMetrics } from '../../../src/adapters/backfill-stages/ipc-metrics.ts';
import type { MetricsBatch } from '../../../src/ports/backfill-stages/metrics-wire.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { PrometheusMetrics } from '../../../src/adapters/prometheus/prometheus-metrics.ts';
import type { Metrics } from '../../../src/ports/metrics.ts';
import { decodeChildMessage } from '../../../src/ports/backfill-stages/stage-messages.ts';

/** A child's IpcMetrics whose batches travel as JSON and are decoded, as over IPC. */
const childAndParent = (parent: Metrics) => {
  const folder = new MetricsFolder(parent);
  const sent: MetricsBatch[] = [];
  const child = new IpcMetrics({
    flushMs: 0,
    send: (batch) => {
      sent.push(batch);
      const decoded = decodeChildMessage(JSON.parse(JSON.stringify(batch)));
      if (E.isLeft(decoded) || decoded.right.type !== 'metrics') throw new Error('batch did not decode');
      expect(folder.apply(decoded.right)).toEqual([]);
    },
  });
  return { child, sent, folder };
};

describe('IpcMetrics → MetricsFolder', () => {
  it('sends counter increases since the last flush, and the parent adds them up', () => {
    const parent = new MemoryMetrics();
    const { child, sent } = childAndParent(parent);
    const calls = child.counter('external_api_calls_total', 'calls', {
      endpoint: 'historical',
      status: '200',
    });
    calls.inc();
    calls.inc(2);
    child.flush();
    calls.inc();
    child.flush();
    child.flush();

    expect(sent).toHaveLength(2);
    expect(sent.map((b) => b.updates[0])).toMatchObject([{ inc: 3 }, { inc: 1 }]);
    expect(parent.value('external_api_calls_total', { endpoint: 'historical', status: '200' })).toBe(4);
  });

  it('sends the gauge value last set, and every histogram observation once', () => {
    const parent = new MemoryMetrics();
    const { child } = childAndParent(parent);
    const g = child.gauge('sink_queue_depth', 'depth');
    g.set(5);
    g.inc(2);
    g.dec();
    const h = child.histogram('external_api_call_duration_seconds', 'latency', [0.1, 1], {
      endpoint: 'historical',
    });
    h.observe(0.2);
    h.observe(0.4);
    child.flush();
    h.observe(3);
    child.close();

    expect(parent.value('sink_queue_depth')).toBe(6);
    expect(parent.observed('external_api_call_duration_seconds', { endpoint: 'historical' })).toEqual([
      0.2, 0.4, 3,
    ]);
  });

  it('makes the children’s series part of the parent’s Prometheus exposition', async () => {
    const parent = new PrometheusMetrics({ defaultMetrics: false });
    const a = childAndParent(parent);
    const b = childAndParent(parent);
    a.child.counter('external_api_calls_total', 'calls', { endpoint: 'historical', status: '200' }).inc(2);
    b.child.counter('external_api_calls_total', 'calls', { endpoint: 'historical', status: '200' }).inc(3);
    b.child.counter('external_api_calls_total', 'calls', { endpoint: 'historical', status: '429' }).inc();
    a.child
      .histogram('external_api_call_duration_seconds', 'latency', [0.1, 1], { endpoint: 'historical' })
      .observe(0.5);
    a.child.flush();
    b.child.flush();

    const text = await parent.exposition();
    expect(text).toContain('external_api_calls_total{endpoint="historical",status="200"} 5');
    expect(text).toContain('external_api_calls_total{endpoint="historical",status="429"} 1');
    expect(text).toContain('external_api_call_duration_seconds_bucket{le="1",endpoint="historical"} 1');
  });

  it('reports an update the registry refuses and applies the rest of the batch', () => {
    const parent = new PrometheusMetrics({ defaultMetrics: false });
    parent.counter('clash_total', 'parent’s own', { a: 'x' });
    const folder = new MetricsFolder(parent);
    const errors = folder.apply({
      type: 'metrics',
      updates: [
        { kind: 'counter', name: 'clash_total', help: 'h', labels: { b: 'y' }, inc: 1 },
        { kind: 'counter', name: 'fine_total', help: 'h', inc: 2 },
      ],
    });
    expect(errors.map((e) => e.name)).toEqual(['clash_total']);
    expect(errors[0]?.error).toContain('labels');
  });

  it('sends nothing when nothing changed, and stops its timer on close', async () => {
    const sent: MetricsBatch[] = [];
    const child = new IpcMetrics({ flushMs: 10, send: (b) => sent.push(b) });
    const c = child.counter('x_total', 'x');
    await new Promise((r) => setTimeout(r, 40));
    expect(sent).toHaveLength(0);
    c.inc();
    await new Promise((r) => setTimeout(r, 40));
    expect(sent).toHaveLength(1);
    child.close();
    c.inc();
    await new Promise((r) => setTimeout(r, 40));
    expect(sent).toHaveLength(1);
  });
});
