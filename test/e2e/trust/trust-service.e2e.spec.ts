import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../src/dev/infra/free-port.ts';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { readTopicWithKcat } from '../../support/kcat.ts';
import { expectTopicMatchesSchema } from '../../support/topic-schema-check.ts';
import { startTickflow } from '../../support/service-process.ts';

const RELIANCE = '2885';

const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

describe('tickflow live, end to end: quarantine and the gap topic', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, rate: 2000, alwaysOpen: true });
  });
  afterAll(async () => sim.close());

  it('out-of-band ticks go to the quarantine topic with their reason, never to market_ticks; a dropped feed is on market_gaps', async () => {
    const ns = randomUUID().slice(0, 8);
    const topics = { ticks: `ticks-${ns}`, quarantine: `quarantine-${ns}`, gaps: `gaps-${ns}` };
    const port = await freePort();
    const service = startTickflow(['live'], {
      ...simulatorEnv(sim),
      KAFKA_BROKER: inject('kafkaBroker'),
      REDIS_URL: inject('redisUrl'),
      TICK_TOPIC: topics.ticks,
      QUARANTINE_TOPIC: topics.quarantine,
      GAP_TOPIC: topics.gaps,
      KAFKA_TOPIC_PARTITIONS: '3',
      METRICS_PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      LOG_FORMAT: 'human',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-trust-e2e-')),
      BACKFILL_ON_START: 'never',
    });
    const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    try {
      await service.waitForLine(/^\[INFO\] Connected to MStock WebSocket\b/, 60_000);
      await waitFor('ticks flowing', async () => /^ticks_accepted_total [1-9]\d{2,}/m.test(await metrics()));
      await fetch(`${sim.url}/sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fault: 'out-of-band', token: Number(RELIANCE), count: 4 }),
      });
      await waitFor('quarantined', async () =>
        /^ticks_quarantined_total\{reason="price-outside-band"\} 4$/m.test(await metrics()),
      );
      // Quarantined on screening, published when Kafka acknowledges: on a loaded machine, later.
      await waitFor('quarantine acknowledged', async () =>
        /^control_records_published_total\{topic="quarantine-[0-9a-f]+"\} 4$/m.test(await metrics()),
      );
      const body = await metrics();
      expect((body.match(/^tick_age_seconds\{token="\d+"\}/gm) ?? []).length).toBe(51);
      expect(body).toMatch(/^control_records_published_total\{topic="quarantine-[0-9a-f]+"\} 4$/m);

      sim.faults.dropConnections();
      await waitFor('the gap recorded', async () => /^gaps_opened_total [1-9]/m.test(await metrics()));
      service.child.kill('SIGTERM');
      expect(await service.exited()).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
    }

    const quarantined = (await readTopicWithKcat(inject('kafkaBroker'), topics.quarantine)).map(
      (m) => [m.key, JSON.parse(m.value) as { reason: string; tick: { id: string; token: string } }] as const,
    );
    expect(quarantined.map(([key, v]) => [key, v.reason, v.tick.token])).toEqual(
      Array.from({ length: 4 }, () => [RELIANCE, 'price-outside-band', RELIANCE]),
    );
    const tickIds = new Set(
      (await readTopicWithKcat(inject('kafkaBroker'), topics.ticks)).map(
        (m) => (JSON.parse(m.value) as { id: string }).id,
      ),
    );
    expect(tickIds.size).toBeGreaterThan(100);
    expect(quarantined.filter(([, v]) => tickIds.has(v.tick.id))).toEqual([]);

    const gaps = (await readTopicWithKcat(inject('kafkaBroker'), topics.gaps)).map(
      (m) => JSON.parse(m.value) as { event: string; token: string; cause: string },
    );
    const opened = gaps.filter((g) => g.event === 'FeedGapOpened');
    expect(new Set(opened.map((g) => g.token)).size).toBe(51);
    expect(new Set(opened.map((g) => g.cause))).toEqual(new Set(['disconnect']));
    expect(service.output()).toMatch(/Ingestion stopped .*quarantined=4/);

    // The wire format as a consumer reads it (kcat), against the published schemas.
    await expectTopicMatchesSchema(inject('kafkaBroker'), topics.ticks, 'ticks');
    await expectTopicMatchesSchema(inject('kafkaBroker'), topics.quarantine, 'quarantine');
    await expectTopicMatchesSchema(inject('kafkaBroker'), topics.gaps, 'gaps');
  });
});
