import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { sdkMaster, type SdkMasterRow } from '../../support/sdk-master.ts';
import {
  type FeedProbe,
  get,
  loginWithTotp,
  subscribedFeed,
  THURSDAY_1000_IST,
  waitFor,
} from './sim-test-client.ts';

/** What a test started, closed after it. */
const held: { sim: RunningSimulator | undefined; readonly probes: FeedProbe[] } = {
  sim: undefined,
  probes: [],
};
afterEach(async () => {
  for (const p of held.probes.splice(0)) p.close();
  await held.sim?.close();
  held.sim = undefined;
});

const start = async (): Promise<RunningSimulator> => {
  held.sim = await startSimulator({
    universe: 'large',
    clock: () => THURSDAY_1000_IST,
    rate: 0,
    heartbeatIntervalMs: 0,
    historicalRatePerSecond: 0,
  });
  return held.sim;
};

const master = (s: RunningSimulator): Promise<SdkMasterRow[]> => sdkMaster(s.url, s.options.credentials);

const bySegment = (rows: readonly SdkMasterRow[], segment: string) =>
  rows.filter((r) => r.segment === segment);
const expiriesOf = (rows: readonly SdkMasterRow[]) => [...new Set(rows.map((r) => r.expiry))].sort();

/** Emits ticks until every token has a decoded tick on the probe, and every packet sent arrived. */
const emitUntilEach = async (s: RunningSimulator, p: FeedProbe, tokens: readonly number[]) => {
  await waitFor(`ticks for ${tokens.join(',')}`, () => {
    s.emitTicks(200);
    const seen = new Set(p.ticks().map((tick) => Number(tick.token)));
    return tokens.every((token) => seen.has(token));
  });
  await waitFor('every packet sent', () => p.packetLengths().length === s.stats().totals.packetsSent);
};

describe('the simulator with --universe large', () => {
  it('serves a master of > 5,000 rows through the official SDK, and quotes options and BSE rows on the feed', async () => {
    const s = await start();
    const rows = await master(s);
    expect(rows.length).toBeGreaterThanOrEqual(5_000);
    expect(new Set(rows.map((r) => r.segment))).toEqual(
      new Set(['NSE', 'BSE', 'INDICES', 'NFO-FUT', 'NFO-OPT']),
    );
    // The two nearest weekly expiries (Tuesdays) after Thursday 2025-11-20, and two monthly futures.
    expect(expiriesOf(bySegment(rows, 'NFO-OPT'))).toEqual(['2025-11-25', '2025-12-02']);
    expect(expiriesOf(bySegment(rows, 'NFO-FUT'))).toEqual(['2025-11-25', '2025-12-30']);
    expect(rows.find((r) => r.instrument_token === '2885')).toMatchObject({
      tradingsymbol: 'RELIANCE',
      segment: 'NSE',
    });
    expect(rows.find((r) => r.instrument_token === '500325')).toMatchObject({
      tradingsymbol: 'RELIANCE',
      exchange: 'BSE',
    });

    const options = bySegment(rows, 'NFO-OPT').filter((r) => r.name === 'NIFTY' && r.strike === '25900');
    const bse = bySegment(rows, 'BSE').slice(0, 2);
    const tokens = [...options, ...bse].map((r) => Number(r.instrument_token));
    expect(tokens).toHaveLength(6);
    const p = await subscribedFeed(s, await loginWithTotp(s), [...tokens, 26009], 'full');
    held.probes.push(p);
    await emitUntilEach(s, p, [...tokens, 26009]);
    const ticks = p.ticks();
    for (const row of [...options, ...bse]) {
      const last = ticks.filter((tick) => tick.token === row.instrument_token).at(-1);
      expect(last?.ltp, row.tradingsymbol).toBeGreaterThan(Number(row.last_price) * 0.7);
      expect(last?.ltp, row.tradingsymbol).toBeLessThan(Number(row.last_price) * 1.3);
      if (row.segment === 'NFO-OPT') {
        const stats = s.stats().tokens[row.instrument_token];
        expect(last).toMatchObject({
          ltp: stats?.ltp,
          openInterest: stats?.openInterest,
          openInterestDayHigh: stats?.openInterestDayHigh,
          openInterestDayLow: stats?.openInterestDayLow,
        });
        expect(last?.openInterest).toBeGreaterThan(0);
        expect(last?.openInterestDayHigh).toBeGreaterThanOrEqual(last?.openInterest ?? 0);
        expect(last?.openInterestDayLow).toBeLessThanOrEqual(last?.openInterest ?? 0);
      } else {
        expect(last?.openInterest ?? 0).toBe(0);
      }
    }
    // An index token gets index packets (32 bytes in full mode), which carry the change.
    expect(ticks.find((tick) => tick.token === '26009')?.change).toBeDefined();
    expect(new Set(p.packetLengths())).toEqual(new Set([184, 32]));
  });

  it('serves candles of any row with its exchange in the path', async () => {
    const s = await start();
    const token = await loginWithTotp(s);
    const master = await get(s, 'instruments/scriptmaster', token);
    const option = master.text
      .split('\n')
      .find((line) => line.endsWith(',NFO-OPT,NFO'))
      ?.split(',')[0];
    expect(option).toBeDefined();
    const range = 'from=2025-11-19+09:15:00&to=2025-11-19+15:30:00';
    const nfo = await get(s, `instruments/historical/NFO/${option}/minute?${range}`, token);
    expect(nfo.status).toBe(200);
    expect((nfo.json as { data: { candles: unknown[] } }).data.candles.length).toBe(375);
    const bse = await get(s, `instruments/historical/BSE/500325/day?from=2025-11-10&to=2025-11-19`, token);
    expect((bse.json as { data: { candles: unknown[] } }).data.candles.length).toBeGreaterThan(5);
    // The token on the wrong exchange is no instrument.
    expect((await get(s, `instruments/historical/NSE/${option}/minute?${range}`, token)).status).toBe(400);
    expect((await get(s, `instruments/intraday/4/500325/minute`, token)).status).toBe(200);
  });

  it('rolls to a new expiry without a restart: the master changes and the expired contracts stop ticking', async () => {
    const s = await start();
    const before = await master(s);
    const expiring = bySegment(before, 'NFO-OPT').find((r) => r.expiry === '2025-11-25')!;
    const staying = bySegment(before, 'NFO-OPT').find((r) => r.expiry === '2025-12-02')!;
    const p = await subscribedFeed(s, await loginWithTotp(s), [
      Number(expiring.instrument_token),
      Number(staying.instrument_token),
    ]);
    held.probes.push(p);
    await emitUntilEach(s, p, [Number(expiring.instrument_token), Number(staying.instrument_token)]);

    const r = await fetch(`${s.url}/sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ fault: 'roll-expiry' }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      result: { expired: '2025-11-25', listed: ['2025-12-09', '2026-01-27'] },
    });

    const after = await master(s);
    expect(expiriesOf(bySegment(after, 'NFO-OPT'))).toEqual(['2025-12-02', '2025-12-09']);
    expect(expiriesOf(bySegment(after, 'NFO-FUT'))).toEqual(['2025-12-30', '2026-01-27']);
    expect(after.some((row) => row.instrument_token === expiring.instrument_token)).toBe(false);
    const expiredBefore = p.ticks().filter((tick) => tick.token === expiring.instrument_token).length;
    const stayingBefore = p.ticks().filter((tick) => tick.token === staying.instrument_token).length;
    s.emitTicks(200);
    await waitFor(
      'more ticks of the contract that stays',
      () => p.ticks().filter((tick) => tick.token === staying.instrument_token).length > stayingBefore,
    );
    expect(s.stats().tokens[expiring.instrument_token]).toBeUndefined();
    expect(p.ticks().filter((tick) => tick.token === expiring.instrument_token).length).toBe(expiredBefore);
  });

  it('lists each connection’s tokens with three connections of large subscriptions', async () => {
    const s = await start();
    const rows = (await master(s)).map((r) => Number(r.instrument_token));
    const token = await loginWithTotp(s);
    const lists = [rows.slice(0, 900), rows.slice(900, 1800), rows.slice(1800, 2700).reverse()];
    for (const list of lists) held.probes.push(await subscribedFeed(s, token, list));
    const body = (await (await fetch(`${s.url}/sim/stats`)).json()) as {
      connections: { id: string; open: boolean; tokens: number[] }[];
    };
    expect(body.connections.map((c) => c.tokens)).toEqual(lists);
    expect(body.connections.every((c) => c.open)).toBe(true);
    // The one dropped follows nothing any more; the others keep theirs.
    const dropped = await fetch(`${s.url}/sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ fault: 'drop-connection', connection: body.connections[1]!.id }),
    });
    expect(await dropped.json()).toMatchObject({ result: 1 });
    await waitFor('the close', () => s.stats().connections[1]?.open === false);
    expect(s.stats().connections.map((c) => c.tokens)).toEqual([lists[0], [], lists[2]]);
  });
});
