import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort, waitUntil } from '../../../src/dev/infra/free-port.ts';
import { startTickflow } from '../../support/service-process.ts';
import { expressions, metricNames, readAlerts } from './alert-rules-file.ts';

// `up` is written by Prometheus itself; names with a colon are this file's recording rules.
const MADE_BY_PROMETHEUS = new Set(['up']);
const JOURNAL_LIMIT = 50_331_648;

const usedMetrics = (): string[] => {
  const names = expressions(readAlerts()).flatMap(metricNames);
  return [...new Set(names)].filter((n) => !n.includes(':') && !MADE_BY_PROMETHEUS.has(n)).sort();
};

describe('the series alerts.yml reads', () => {
  it('are found in the expressions (the parser is not blind)', () => {
    const used = usedMetrics();
    for (const known of ['feed_connected', 'sink_journal_limit_bytes', 'gaps_filled_total']) {
      expect(used).toContain(known);
    }
  });

  it('are all in the /metrics of a running tickflow demo', async () => {
    const wanted = usedMetrics();
    const port = await freePort();
    const tmp = mkdtempSync(join(tmpdir(), 'tickflow-alert-metrics-'));
    const ns = `alert-metrics-${process.pid}-${Date.now()}`;
    const demo = startTickflow(['demo', '--duration', '300'], {
      METRICS_PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'human',
      DATA_DIR: join(tmp, 'data'),
      TMPDIR: tmp,
      KAFKA_BROKER: inject('kafkaBroker'),
      REDIS_URL: inject('redisUrl'),
      // Its own names on the shared broker and Redis, so no other test reads what it writes.
      TICK_TOPIC: `${ns}-ticks`,
      QUARANTINE_TOPIC: `${ns}-quarantine`,
      GAP_TOPIC: `${ns}-gaps`,
      CANDLE_TOPIC: `${ns}-candles`,
      EVENT_LOG_TOPIC: `${ns}-events`,
      CLUSTER_TOPIC: `${ns}-cluster`,
      REDIS_COMMAND_CHANNEL: `${ns}-commands`,
      SINK_JOURNAL_MAX_BYTES: String(JOURNAL_LIMIT),
    });
    try {
      let text = '';
      // The sink's and the feed's gauges exist once the pipeline is up: wait for a connected feed.
      await waitUntil(
        'tickflow demo to serve /metrics with a connected feed',
        async () => {
          if (demo.child.exitCode !== null)
            throw new Error(`demo exited early:\n${demo.output().slice(-3000)}`);
          try {
            const res = await fetch(`http://127.0.0.1:${port}/metrics`);
            text = await res.text();
            return res.ok && /^feed_connected 1$/m.test(text);
          } catch {
            return false; // not listening yet
          }
        },
        180_000,
      );
      const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
      expect(wanted.filter((n) => !exported.has(n))).toEqual([]);
      // The limit the journal alert divides by is the configured one.
      expect(text).toMatch(new RegExp(`^sink_journal_limit_bytes ${JOURNAL_LIMIT}$`, 'm'));
    } finally {
      demo.child.kill('SIGTERM');
      const exited = await Promise.race([
        demo.exited().then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 60_000)),
      ]);
      if (!exited) demo.child.kill('SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 300_000);
});
