import { afterEach, describe, expect, it } from 'vitest';
import { sleep, startTrustBed, waitFor, type TrustBed } from './trust-harness.ts';

const ist = (s: string): number => Date.parse(`${s.replace(' ', 'T')}+05:30`);
/** Thursday 2026-11-19: in the continuous session, and at night. */
const DAY = ist('2026-11-19 10:00:00');
const NIGHT = ist('2026-11-19 21:00:00');
const RELIANCE = '2885';
const TCS = '11536';

interface QuarantineValue {
  readonly reason: string;
  readonly tick: { readonly id: string; readonly token: string; readonly ltp: number };
}
interface GapValue {
  readonly event: string;
  readonly token: string;
  readonly cause: string;
  readonly gapId: string;
}

describe('data you can trust: the live pipeline against the simulator and real Kafka', () => {
  let bed: TrustBed | undefined;
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
  });

  it('quarantines out-of-band ticks with their reason; market_ticks holds none of them; bars go to market_candles', async () => {
    // Shortly before a minute ends, so the run sees a minute's bars complete.
    const b = (bed = await startTrustBed({ marketTime: DAY - 12_000 }));
    await waitFor('ticks', () => b.service.ingestion.snapshot().ticksAccepted > 500);
    b.sim.faults.emitOutOfBand(Number(RELIANCE), 5);
    await waitFor('five quarantined', () => b.service.ingestion.snapshot().ticksQuarantined >= 5);
    await waitFor(
      'a minute of bars',
      async () => Number(/^candles_built_total (\d+)/m.exec(await b.metrics())?.[1]) >= 51,
      40_000,
    );
    await sleep(500);
    await b.service.stop();

    const quarantined = (await b.read(b.topics.quarantine)).map((m) => ({
      key: m.key,
      value: JSON.parse(m.value) as QuarantineValue,
    }));
    expect(quarantined).toHaveLength(5);
    expect(b.sim.stats().tokens[RELIANCE]?.outOfBandSent).toBe(5);
    for (const q of quarantined) {
      expect(q.key).toBe(RELIANCE);
      expect(q.value.reason).toBe('price-outside-band');
      expect(q.value.tick.token).toBe(RELIANCE);
    }
    const ticks = (await b.read(b.topics.ticks)).map((m) => JSON.parse(m.value) as { id: string });
    expect(ticks.length).toBe(b.service.ingestion.snapshot().ticksAccepted);
    const published = new Set(ticks.map((t) => t.id));
    expect(quarantined.filter((q) => published.has(q.value.tick.id))).toEqual([]);
    expect(await b.metrics()).toMatch(/^ticks_quarantined_total\{reason="price-outside-band"\} 5$/m);
    const candles = (await b.read(b.topics.candles)).map(
      (m) =>
        [m.key, JSON.parse(m.value) as { token: string; start: number; high: number; low: number }] as const,
    );
    expect(new Set(candles.map(([key]) => key)).size).toBe(51);
    for (const [key, c] of candles) {
      expect(c.token).toBe(key);
      expect(c.start % 60_000).toBe(0);
      expect(c.high).toBeGreaterThanOrEqual(c.low);
    }
    // The out-of-band prices never reached a bar.
    const reliance = candles.filter(([key]) => key === RELIANCE).map(([, c]) => c.high);
    const outOfBand = quarantined.map((q) => q.value.tick.ltp);
    expect(Math.max(...reliance)).toBeLessThan(Math.min(...outOfBand));
  });

  it('one silent instrument in the session is a gap for that token only, on record in market_gaps, then filled', async () => {
    const b = (bed = await startTrustBed({ marketTime: DAY }));
    await waitFor('cadence learned', () => b.service.ingestion.snapshot().ticksAccepted > 2000);
    b.sim.faults.silenceToken(Number(TCS));
    await waitFor('a silent-instrument gap', () => b.gaps.some((g) => g.cause === 'silent-instrument'));
    await sleep(2000);
    const silent = b.gaps.filter((g) => g.cause === 'silent-instrument');
    expect(silent.map((g) => g.tokens)).toEqual([[TCS]]);
    expect(b.service.trust?.freshness.silentTokens()).toEqual([TCS]);
    expect(await b.metrics()).toMatch(
      new RegExp(`^tick_age_seconds\\{token="${TCS}"\\} ([2-9]|\\d\\d)`, 'm'),
    );
    const body = await b.metrics();
    expect((body.match(/^tick_age_seconds\{/gm) ?? []).length).toBe(51);

    const records = async (): Promise<GapValue[]> =>
      (await b.read(b.topics.gaps)).map((m) => JSON.parse(m.value) as GapValue);
    await waitFor('opened and filled on market_gaps', async () => (await records()).length >= 2);
    const gapRecords = await records();
    expect(gapRecords.map((r) => [r.event, r.token, r.cause])).toEqual([
      ['FeedGapOpened', TCS, 'silent-instrument'],
      ['GapFilled', TCS, 'silent-instrument'],
    ]);
    expect(gapRecords[0]?.gapId).toBe(gapRecords[1]?.gapId);
  });

  it('the same silence at night raises nothing', async () => {
    const b = (bed = await startTrustBed({ marketTime: NIGHT }));
    await waitFor('cadence learned', () => b.service.ingestion.snapshot().ticksAccepted > 2000);
    b.sim.faults.silenceToken(Number(TCS));
    await sleep(5000);
    expect(b.gaps).toEqual([]);
    expect(b.service.ingestion.snapshot().ticksQuarantined).toBe(0);
    const ready = await fetch(`${b.telemetry.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('a mute socket in the session: /readyz says so, the socket is replaced, and the gap is on record', async () => {
    const b = (bed = await startTrustBed({ marketTime: DAY }));
    await waitFor('ticks', () => b.service.ingestion.snapshot().ticksAccepted > 500);
    const clientsBefore = b.sim.stats().clients.length;
    b.sim.faults.goSilent(6000);
    await waitFor('readyz says mute', async () => {
      const r = await fetch(`${b.telemetry.url}/readyz`);
      return r.status === 503 && (await r.text()).includes('mute');
    });
    // FEED_STALE_AFTER_MS=2000: the silent socket is closed and a new one opened while still mute.
    await waitFor('socket replaced', () => b.sim.stats().clients.length > clientsBefore, 10_000);
    await waitFor('the new socket connected', () => b.service.ingestion.snapshot().connected);
    // The new socket is just as mute (the simulator is silent for 6 s): still not ready.
    const still = await fetch(`${b.telemetry.url}/readyz`);
    expect(still.status).toBe(503);
    expect(await still.text()).toContain('mute');
    await waitFor(
      'flowing again',
      async () => (await fetch(`${b.telemetry.url}/readyz`)).status === 200,
      20_000,
    );
    await waitFor('mute-socket gap', () => b.gaps.some((g) => g.cause === 'mute-socket'), 10_000);
    // The whole feed was silent: that is the socket's gap, not 51 instrument gaps.
    expect(b.gaps.filter((g) => g.cause === 'silent-instrument')).toEqual([]);
    expect(b.gaps.find((g) => g.cause === 'mute-socket')?.tokens).toHaveLength(51);
  });

  it('a socket that sends heartbeats but no tick in the session is replaced, and its silence is a mute-socket gap', async () => {
    // Heartbeats every 500 ms keep the feed's frame watchdog (FEED_STALE_AFTER_MS=2000) content.
    const b = (bed = await startTrustBed({ marketTime: DAY, sim: { heartbeatIntervalMs: 500 } }));
    await waitFor('ticks', () => b.service.ingestion.snapshot().ticksAccepted > 500);
    const clientsBefore = b.sim.stats().clients.length;
    const mutedAt = Date.now();
    b.sim.faults.muteTicks(4000);
    await waitFor('socket replaced', () => b.sim.stats().clients.length > clientsBefore, 10_000);
    // Replaced by the trust stage: the muted socket kept sending heartbeats all along.
    expect(Date.now() - mutedAt).toBeGreaterThanOrEqual(2000);
    expect(b.sim.stats().clients.at(-2)?.heartbeatsSent).toBeGreaterThan(2);
    expect(await b.metrics()).toMatch(/^feed_mute_replacements_total [1-9]/m);
    await waitFor(
      'flowing again',
      async () => (await fetch(`${b.telemetry.url}/readyz`)).status === 200,
      20_000,
    );
    await waitFor('mute-socket gap', () => b.gaps.some((g) => g.cause === 'mute-socket'), 10_000);
    const gap = b.gaps.find((g) => g.cause === 'mute-socket');
    expect(gap?.tokens).toHaveLength(51);
    // From the last tick, not the last heartbeat: the whole silence is on record.
    expect((gap?.to ?? 0) - (gap?.from ?? 0)).toBeGreaterThanOrEqual(2000);
    expect(b.gaps.filter((g) => g.cause === 'silent-instrument')).toEqual([]);
  });

  it('one mute socket among ticking ones is replaced, and only its instruments are in the mute-socket gap', async () => {
    // 51 instruments at 20 a socket: three sockets; heartbeats keep the frame watchdog content.
    const b = (bed = await startTrustBed({
      marketTime: DAY,
      sim: { heartbeatIntervalMs: 500 },
      env: { MSTOCK_MAX_INSTRUMENTS_PER_SOCKET: '20' },
    }));
    // Each instrument's cadence learned first: silence is judged against it.
    await waitFor('cadence learned', () => b.service.ingestion.snapshot().ticksAccepted > 3000);
    const open = b.sim.stats().connections.filter((c) => c.open);
    expect(open).toHaveLength(3);
    const victim = open[1]!;
    expect(b.sim.faults.muteConnection(victim.id)).toBe(true);
    await waitFor(
      'the mute socket replaced',
      () => b.sim.stats().connections.some((c) => c.id === victim.id && !c.open),
      15_000,
    );
    expect(await b.metrics()).toMatch(/^feed_mute_replacements_total [1-9]/m);
    await waitFor('mute-socket gap', () => b.gaps.some((g) => g.cause === 'mute-socket'), 10_000);
    const gap = b.gaps.find((g) => g.cause === 'mute-socket');
    expect([...(gap?.tokens ?? [])].sort()).toEqual(victim.tokens.map(String).sort());
    // The two others were never replaced.
    for (const other of [open[0]!, open[2]!])
      expect(b.sim.stats().connections.find((c) => c.id === other.id)?.open).toBe(true);
  });

  it('an instrument that shows no packet after the connect is subscribed again, in market hours, and reported', async () => {
    const UNQUOTED = '99999';
    const b = (bed = await startTrustBed({
      marketTime: DAY,
      env: { INSTRUMENTS: `${RELIANCE},${TCS},${UNQUOTED}`, SUBSCRIPTION_CONFIRM_MS: '1000' },
    }));
    const subscribes = (): string[] =>
      (b.sim.stats().clients.at(-1)?.messages ?? []).filter((m) => m.includes('"subscribe"'));
    await waitFor('a second subscribe', () => subscribes().length >= 2, 15_000);
    // The first message subscribed all three; the next asks only for the one never quoted.
    expect(subscribes()[0]).toContain(RELIANCE);
    expect(subscribes().slice(1)).toEqual(
      subscribes()
        .slice(1)
        .map(() => JSON.stringify({ a: 'subscribe', v: [99999] })),
    );
    expect(b.service.trust?.subscriptions.unconfirmedTokens()).toEqual([UNQUOTED]);
    expect(await b.metrics()).toMatch(/^subscription_retries_total [1-9]/m);
    expect(
      b.logger.records.some(
        (r) => r.message.includes('subscribing again') && r.fields['tokens'] === UNQUOTED,
      ),
    ).toBe(true);
  });
});
