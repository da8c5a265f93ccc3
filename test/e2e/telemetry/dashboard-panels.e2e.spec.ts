import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { startPrometheus, type PrometheusServer } from '../../support/prometheus-server.ts';
import { clusterBed, gauge, eventually, type ClusterBed } from '../cluster/cluster-bed.ts';
import { dashboardTargets, panelsWithoutQuery, type PanelTarget } from './dashboard-targets.ts';

const SESSION_TIMEOUT_MS = 6000;
const RELIANCE = 2885;
// A start-up backfill (whatever the wall clock says) fills the backfill panels.
const MEMBER_SETTINGS = { BACKFILL_ON_START: 'always', BACKFILL_DAYS: '1', RECONCILE_AFTER_CLOSE: 'false' };

/** The panels' queries that Prometheus answers with no series (or an error), by panel title. */
const emptyPanels = async (prometheus: PrometheusServer, targets: readonly PanelTarget[]) => {
  const empty: string[] = [];
  for (const t of targets) {
    const series = await prometheus.query(t.expr).catch((e: unknown) => {
      empty.push(`${t.panel} [${t.refId}] ${t.expr}: ${String(e)}`);
      return undefined;
    });
    if (series !== undefined && series.length === 0)
      empty.push(`${t.panel} [${t.refId}] ${t.expr}: no series`);
  }
  return empty;
};

describe('the shipped Grafana dashboard against a real Prometheus scraping tickflow live in a cluster', () => {
  const bed: { sim?: RunningSimulator; cluster?: ClusterBed; prometheus?: PrometheusServer } = {};
  beforeAll(async () => {
    bed.sim = await startSimulator({ port: 0, rate: 500, alwaysOpen: true });
  });
  afterAll(async () => {
    await bed.prometheus?.stop();
    await bed.cluster?.stopAll();
    await bed.sim?.close();
  });

  it('has a query on every graph panel', () => {
    expect(dashboardTargets().length).toBeGreaterThan(0);
    expect(panelsWithoutQuery()).toEqual([]);
  });

  it('draws every panel: each query returns at least one series', async () => {
    if (bed.sim === undefined) throw new Error('the simulator did not start');
    const cluster = clusterBed(
      bed.sim,
      { kafkaBroker: inject('kafkaBroker'), redisUrl: inject('redisUrl') },
      SESSION_TIMEOUT_MS,
    );
    bed.cluster = cluster;
    const member = await cluster.start('dashboard', MEMBER_SETTINGS);
    const joined = await eventually(
      async () => ((await gauge(member, 'cluster_instruments_owned')) ?? 0) > 0,
      Date.now() + 60_000,
    );
    expect(joined, cluster.outputs()).toBe(true);
    // Labelled counters appear on /metrics only once counted: quarantine a few ticks.
    const fault = await fetch(`${bed.sim.url}/sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: 'out-of-band', token: RELIANCE, count: 4 }),
    });
    expect(fault.ok).toBe(true);

    bed.prometheus = await startPrometheus([new URL(member.metricsUrl).host]);
    const prometheus = bed.prometheus;
    const targets = dashboardTargets();
    let empty: string[] = [];
    // Rates need two scrapes in their window; a loaded machine may need many more seconds.
    await eventually(async () => {
      empty = await emptyPanels(prometheus, targets);
      return empty.length === 0;
    }, Date.now() + 90_000);
    expect(empty, `${cluster.outputs()}\n--- prometheus\n${prometheus.output().slice(-2000)}`).toEqual([]);
  }, 240_000);
});
