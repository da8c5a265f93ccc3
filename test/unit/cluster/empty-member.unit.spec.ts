import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { serviceReadiness } from '../../../src/app/live/service-readiness.ts';
import { FreshnessMonitor } from '../../../src/app/trust/freshness-monitor.ts';
import { RELIANCE, TRADING, nse } from '../trust/trust-fixtures.ts';

describe('a cluster member that follows no instrument yet', () => {
  it('is not called mute, however long it hears nothing; once it follows one, silence counts again', () => {
    const clock = new ManualClock(TRADING);
    const monitor = new FreshnessMonitor(
      { session: nse, clock, metrics: new MemoryMetrics(), onGap: () => undefined },
      { tokens: [], rules: { factor: 5, floorMs: 5000, minSamples: 5, alpha: 0.1 }, muteAfterMs: 15_000 },
    );
    monitor.observe({ kind: 'connected', at: clock.now(), attempt: 1 });
    clock.advance(60_000);
    expect(monitor.freshness()).toBe('not-watched');
    monitor.follow([RELIANCE], []);
    expect(monitor.freshness()).toBe('mute');
  });

  it('is not ready while the cluster says joining, and ready once it has its assignment', () => {
    const clock = new ManualClock(TRADING);
    let joining: string | undefined = 'joining';
    const deps = { session: nse, clock, notReadyBy: () => ({ cluster: joining }) };
    const before = serviceReadiness(deps, true, 'not-watched');
    expect(before.ready).toBe(false);
    expect(before.checks).toMatchObject({ feed: 'connected', cluster: 'joining', status: 'not ready' });
    joining = undefined;
    const after = serviceReadiness(deps, true, 'flowing');
    expect(after.ready).toBe(true);
    expect(after.checks).toMatchObject({ cluster: 'ready', status: 'ready' });
  });
});
