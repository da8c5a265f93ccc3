import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startTelemetryServer, type TelemetryServer } from '../../../src/adapters/http/telemetry-server.ts';
import { PrometheusMetrics } from '../../../src/adapters/prometheus/prometheus-metrics.ts';

const run = promisify(execFile);

/** Runs Prometheus's own linter on an exposition (promtool reads it from stdin). */
const promtoolCheck = async (text: string): Promise<{ ok: boolean; output: string }> => {
  const child = run('promtool', ['check', 'metrics']);
  child.child.stdin?.end(text);
  try {
    const { stdout, stderr } = await child;
    return { ok: true, output: stdout + stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
};

describe('telemetry server', () => {
  let server: TelemetryServer | undefined;
  afterEach(async () => server?.close());

  it('serves metrics that pass promtool, health, and readiness with its checks', async () => {
    const metrics = new PrometheusMetrics();
    metrics.counter('websocket_packets_total', 'Packets read from the feed').inc(3);
    metrics
      .counter('external_api_calls_total', 'HTTP calls to the broker', {
        endpoint: 'historical',
        status: '200',
      })
      .inc();
    metrics
      .counter('external_api_calls_total', 'HTTP calls to the broker', {
        endpoint: 'historical',
        status: '429',
      })
      .inc(2);
    metrics
      .histogram('kafka_publish_latency_seconds', 'Batch publish latency', [0.001, 0.01, 0.1])
      .observe(0.004);
    let ready = false;
    server = await startTelemetryServer(
      {
        metrics: () => metrics.exposition(),
        metricsContentType: metrics.contentType,
        readiness: () => ({ ready, checks: { feed: ready ? 'connected' : 'down' } }),
      },
      '127.0.0.1',
      0,
    );
    const body = await (await fetch(`${server.url}/metrics`)).text();
    expect(body).toContain('websocket_packets_total 3');
    expect(body).toContain('external_api_calls_total{endpoint="historical",status="429"} 2');
    expect(body).toContain('process_resident_memory_bytes');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
    const check = await promtoolCheck(body);
    expect(check.output).toBe('');
    expect(check.ok).toBe(true);

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, feed: 'down' });
    ready = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });

  it('refuses a second registration of a name with other labels', () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    metrics.counter('x_total', 'x', { a: '1' });
    expect(() => metrics.counter('x_total', 'x', { b: '1' })).toThrow(/x_total registered with labels \[a\]/);
    expect(metrics.counter('x_total', 'x', { a: '2' })).toBeDefined();
  });
});
