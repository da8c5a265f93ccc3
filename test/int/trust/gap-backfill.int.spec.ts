import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { LivePipeline } from '../../../src/app/root/live-pipeline.ts';
import { simulatorEnv } from '../../../src/dev/demo/simulator-env.ts';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { readGapRecords } from '../../support/campaign-topics.ts';
import { runTopicsEnv, startClockedPipeline } from '../../support/clocked-pipeline.ts';
import { readTopicWithKcat } from '../../support/kcat.ts';
import { expectTopicMatchesSchema } from '../../support/topic-schema-check.ts';
import { waitFor } from './trust-harness.ts';

const ist = (s: string): number => Date.parse(`${s.replace(' ', 'T')}+05:30`);
const TCS = '11536';

describe('a silent instrument, filled by the real backfill after the close', () => {
  let sim: RunningSimulator | undefined;
  let pipeline: LivePipeline | undefined;
  afterEach(async () => {
    await pipeline?.stop();
    await sim?.close();
    pipeline = undefined;
    sim = undefined;
  });

  it('gives a gap for that token only; once the bars are final a backfill checked against the calendar closes it, asking again when the broker answers short', async () => {
    // One market clock for the service and the simulator: 20 s before Thursday's close, then moved
    // on to when the broker's bars are final, as a night would.
    let offset = ist('2026-11-19 15:29:40') - Date.now();
    const now = (): number => Date.now() + offset;
    const s = (sim = await startSimulator({ port: 0, rate: 1500, alwaysOpen: true, clock: now }));
    const ns = randomUUID().slice(0, 8);
    const run = runTopicsEnv(ns, simulatorEnv(s), {
      kafkaBroker: inject('kafkaBroker'),
      redisUrl: inject('redisUrl'),
    });
    const { topics } = run;
    const env = {
      ...run.env,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'tickflow-gap-backfill-')),
      LOG_LEVEL: 'info',
      SILENT_INSTRUMENT_FACTOR: '5',
      SILENT_INSTRUMENT_FLOOR_MS: '1500',
    };
    const p = (pipeline = (await startClockedPipeline(env, now)).pipeline);
    const metric = async (name: string): Promise<number> => {
      const body = await (await fetch(`${p.telemetryUrl}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(body)?.[1] ?? 'NaN');
    };

    await waitFor('cadence learned', () => p.service.ingestion.snapshot().ticksAccepted > 2000);
    s.faults.silenceToken(Number(TCS));
    s.faults.shortCandles(1);
    await waitFor('the silence found', async () => (await metric('gaps_opened_total')) >= 1);
    // The close ends the silence's last stretch: a second gap, up to 15:30.
    await waitFor('the close', async () => (await metric('gaps_opened_total')) >= 2, 40_000);
    expect(now()).toBeGreaterThanOrEqual(ist('2026-11-19 15:30:00'));

    offset += ist('2026-11-19 16:15:30') - now();
    await waitFor('every gap closed', async () => (await metric('gaps_open')) === 0, 60_000);
    // Stopped, so the topics stop growing and can be read to their end.
    await p.stop();
    pipeline = undefined;

    const records = await readGapRecords(inject('kafkaBroker'), topics.gaps);
    const opened = records.filter((r) => r.event === 'FeedGapOpened');
    expect(opened.map((r) => [r.token, r.cause])).toEqual([
      [TCS, 'silent-instrument'],
      [TCS, 'silent-instrument'],
    ]);
    expect(opened[1]?.to).toBe(ist('2026-11-19 15:30:00'));
    expect(records.every((r) => r.token === TCS)).toBe(true);
    // The broker's first answer lacked a bar: recorded, asked again, then covered.
    const short = records.filter((r) => r.event === 'GapFillShort');
    expect(short.length).toBeGreaterThanOrEqual(1);
    expect(short[0]).toMatchObject({ expected: 1, received: 0 });
    for (const gap of opened) {
      const life = records.filter((r) => r.gapId === gap.gapId).map((r) => r.event);
      expect(life[0]).toBe('FeedGapOpened');
      expect(life.at(-1)).toBe('GapFilled');
      const filled = records.find((r) => r.gapId === gap.gapId && r.event === 'GapFilled');
      expect(filled).toMatchObject({ how: 'backfilled', expected: 1, received: 1 });
    }
    expect(s.faults.active().shortCandles).toBe(0);

    // The backfill put TCS's bar of the silent minute on market_ticks, and no other token's.
    const backfilled = (await readTopicWithKcat(inject('kafkaBroker'), topics.ticks))
      .map((m) => JSON.parse(m.value) as { id: string; token: string; source?: string })
      .filter((t) => t.source === 'backfill');
    expect(backfilled.map((t) => t.id)).toContain(`${TCS}:${ist('2026-11-19 15:29:00')}:0:b`);
    expect(new Set(backfilled.map((t) => t.token))).toEqual(new Set([TCS]));

    // Every kind of record this run wrote, as a consumer reads it (kcat), against the published schemas.
    const broker = inject('kafkaBroker');
    const ticks = await expectTopicMatchesSchema(broker, topics.ticks, 'ticks');
    expect(new Set(ticks.map((r) => r.value['source']))).toEqual(new Set(['live', 'backfill']));
    const gaps = await expectTopicMatchesSchema(broker, topics.gaps, 'gaps');
    expect(new Set(gaps.map((r) => r.value['event']))).toEqual(
      new Set(['FeedGapOpened', 'GapFillShort', 'GapFilled']),
    );
    await expectTopicMatchesSchema(broker, topics.candles, 'candles');
  });
});
