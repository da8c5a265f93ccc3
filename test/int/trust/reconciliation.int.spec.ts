import { afterEach, describe, expect, it } from 'vitest';
import { startTrustBed, waitFor, type TrustBed } from './trust-harness.ts';

const ist = (s: string): number => Date.parse(`${s.replace(' ', 'T')}+05:30`);
const TCS = '11536';
/** Market seconds per real second: the rest of a session, and the wait for final bars, in ~40 s. */
const SPEED = 600;

const gauges = (body: string, name: string): Map<string, number> =>
  new Map(
    [...body.matchAll(new RegExp(`^${name}\\{token="(\\d+)"\\} (\\S+)$`, 'gm'))].map(
      (m) => [m[1] ?? '', Number(m[2])] as const,
    ),
  );

describe('reconciliation against the broker’s candles, through a session', () => {
  let bed: TrustBed | undefined;
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
  });

  it('dropping 1% of one instrument’s packets shows up in the reconciliation for that instrument and no other', async () => {
    const b = (bed = await startTrustBed({
      marketTime: ist('2026-11-19 11:00:00'),
      speed: SPEED,
      sim: { rate: 3000, historicalRatePerSecond: 1000 },
      env: {
        MSTOCK_HISTORY_RATE_PER_SECOND: '0',
        // Market time runs 600 times faster here: the watchdogs' patience is in market time too.
        FEED_STALE_AFTER_MS: '600000',
        SILENT_INSTRUMENT_FLOOR_MS: '3600000',
        SUBSCRIPTION_CONFIRM_MS: '3600000',
        MAX_EXCHANGE_LAG_MS: '3600000',
        MAX_EXCHANGE_LEAD_MS: '3600000',
      },
    }));
    b.sim.faults.dropTokenPackets(Number(TCS), 0.01);
    await waitFor(
      'the reconciliation after the close',
      () => b.logger.records.some((r) => r.message === 'Reconciliation done'),
      120_000,
    );
    const done = b.logger.records.find((r) => r.message === 'Reconciliation done');
    expect(done?.fields).toMatchObject({ day: '2026-11-19', instruments: 51, differing: 1 });
    expect(b.sim.stats().tokens[TCS]?.dropped).toBeGreaterThan(0);

    const body = await b.metrics();
    const missing = gauges(body, 'reconciliation_missing_minutes');
    const volume = gauges(body, 'reconciliation_volume_delta');
    const ohlc = gauges(body, 'reconciliation_ohlc_mismatches');
    expect(missing.size).toBe(51);
    const differing = [...missing.keys()].filter(
      (token) => (missing.get(token) ?? 0) + (volume.get(token) ?? 0) + (ohlc.get(token) ?? 0) > 0,
    );
    expect(differing).toEqual([TCS]);
    // Four hours of minutes were judged: the live bars of the other 50 matched the broker's exactly.
    const warnings = b.logger.records.filter((r) => r.message.startsWith('Live bars differ'));
    expect(warnings.map((r) => r.fields['token'])).toEqual([TCS]);
    // And on record as events: the instrument's differences, then the session's summary.
    const events = (await b.reconciliation.read('reconciliation')).map((e) => e.event);
    expect(events.map((e) => e.type)).toEqual(['BarsDiffered', 'SessionReconciled']);
    expect(events[0]?.data).toMatchObject({ day: '2026-11-19', token: TCS });
    expect(events[1]?.data).toMatchObject({ day: '2026-11-19', instruments: 51, differing: [TCS] });
  });
});
