import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import type { SimulatorOptions } from '../../../src/simulator/simulator-options.ts';
import type { TokenStats } from '../../../src/simulator/simulator-stats.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import {
  FeedProbe,
  get,
  loginWithTotp,
  SATURDAY_1000_IST,
  subscribedFeed,
  THURSDAY_1000_IST,
  waitFor,
} from './sim-test-client.ts';

const NIFTY = 26000;
const RELIANCE = 2885;
const TCS = 11536;
const ALL = [NIFTY, RELIANCE, TCS];

let sim: RunningSimulator | undefined;
const probes: FeedProbe[] = [];
afterEach(async () => {
  for (const p of probes.splice(0)) p.close();
  await sim?.close();
  sim = undefined;
});

const start = async (options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> => {
  sim = await startSimulator({ clock: () => THURSDAY_1000_IST, rate: 0, heartbeatIntervalMs: 0, ...options });
  return sim;
};
const track = (p: FeedProbe): FeedProbe => {
  probes.push(p);
  return p;
};

/** The fields a decoded tick shares with the simulator's stats, for a field-by-field comparison. */
const expectTickMatchesStats = (tick: Tick, s: TokenStats): void => {
  expect(tick.ltp).toBe(s.ltp);
  expect(tick.exchangeTime).toBe(s.exchangeTime);
  if (s.kind === 'index') {
    expect(tick).toMatchObject({ open: s.open, high: s.high, low: s.low, close: s.close, change: s.change });
  } else {
    expect(tick).toMatchObject({
      volume: s.volume,
      lastTradedQuantity: s.lastTradedQuantity,
      averagePrice: s.averagePrice,
      totalBuyQuantity: s.totalBuyQuantity,
      totalSellQuantity: s.totalSellQuantity,
      open: s.open,
      high: s.high,
      low: s.low,
      close: s.close,
      lastTradeTime: s.lastTradeTime,
      depth: s.depth,
    });
  }
};

describe('simulator feed: handshake and LOGIN', () => {
  it('refuses a handshake with a bad access token with HTTP 502', async () => {
    const s = await start();
    const probe = track(FeedProbe.connect(s, 'not-a-token'));
    await expect(probe.opened).rejects.toThrow(/502/);
    expect(probe.refusedWith).toBe(502);
    expect(s.stats().totals.handshakesRefused).toBe(1);
  });

  it('refuses a handshake with a wrong API key, with the configured status', async () => {
    const s = await start({ handshakeRefusalStatus: 403 });
    const token = await loginWithTotp(s);
    const probe = track(FeedProbe.connect(s, token, 'other-key'));
    await expect(probe.opened).rejects.toThrow(/403/);
  });

  it('percent-decodes the query, so an API key with + / = @ works', async () => {
    const apiKey = 'k+e/y=@1';
    const s = await start({
      credentials: { user: 'u', password: 'p', apiKey, totpSecret: 'JBSWY3DPEHPK3PXP', otp: '111111' },
    });
    const token = await loginWithTotp(s);
    const probe = track(FeedProbe.connect(s, token, apiKey));
    await probe.opened;
    expect(s.stats().totals.handshakesAccepted).toBe(1);
  });

  it('closes a connection that sends no LOGIN in time, and keeps one that does', async () => {
    const s = await start({ loginTimeoutMs: 200 });
    const token = await loginWithTotp(s);
    const silent = track(FeedProbe.connect(s, token));
    const polite = track(FeedProbe.connect(s, token));
    await Promise.all([silent.opened, polite.opened]);
    polite.send(`LOGIN:${token}`);
    expect(await silent.closed).toEqual({ code: 1008, reason: 'LOGIN not received' });
    await new Promise((r) => setTimeout(r, 300));
    expect(polite.ws.readyState).toBe(polite.ws.OPEN);
    expect(s.stats().clients.map((c) => c.loggedIn)).toEqual([false, true]);
  });

  it('sends no ticks before LOGIN', async () => {
    const s = await start();
    const token = await loginWithTotp(s);
    const probe = track(FeedProbe.connect(s, token));
    await probe.opened;
    probe.send({ a: 'subscribe', v: ALL });
    await waitFor('the subscribe message', () => s.stats().clients[0]?.messages.length === 1);
    s.emitTicks(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(probe.frames).toEqual([]);
  });
});

describe('simulator feed: subscriptions, modes and frames', () => {
  it('sends frames that decode to exactly the values and counts the stats report (full mode)', async () => {
    const s = await start();
    const token = await loginWithTotp(s);
    const probe = track(await subscribedFeed(s, token, ALL, 'full'));
    s.emitTicks(600);
    const sent = s.stats().totals.packetsSent;
    await waitFor('every packet', () => probe.ticks().length === sent);
    const ticks = probe.ticks();
    const stats = s.stats();
    expect(probe.decodeAll().every((r) => r.malformed.length === 0)).toBe(true);
    expect(probe.frames.length).toBeLessThan(sent); // packets are batched into frames
    for (const t of ALL) {
      const mine = ticks.filter((k) => k.token === String(t));
      const s0 = stats.tokens[String(t)]!;
      expect(mine.length).toBe(s0.sent);
      expect(mine.length).toBeGreaterThan(0);
      expectTickMatchesStats(mine.at(-1)!, s0);
    }
    expect(new Set(ticks.map((k) => k.token))).toEqual(new Set(ALL.map(String)));
    expect(stats.tokens['2885']!.exchangeTime).toBe(THURSDAY_1000_IST);
  });

  it('sends quote packets (44 equity, 28 index) after subscribe, before any mode message', async () => {
    const s = await start();
    const token = await loginWithTotp(s);
    const probe = track(await subscribedFeed(s, token, ALL));
    s.emitTicks(300);
    await waitFor('packets', () => probe.packetLengths().length === s.stats().totals.packetsSent);
    expect(new Set(probe.packetLengths())).toEqual(new Set([44, 28]));
    expect(s.stats().clients[0]!.mode).toBe('quote');
  });

  it('switches every subscribed token to ltp with {"a":"mode","v":["ltp"]}', async () => {
    const s = await start();
    const token = await loginWithTotp(s);
    const probe = track(await subscribedFeed(s, token, ALL, 'full'));
    probe.send({ a: 'mode', v: ['ltp'] });
    await waitFor('the mode message', () => s.stats().clients[0]!.mode === 'ltp');
    s.emitTicks(300);
    await waitFor('packets', () => probe.packetLengths().length === s.stats().totals.packetsSent);
    expect(new Set(probe.packetLengths())).toEqual(new Set([8]));
    const last = probe.ticks().at(-1)!;
    expect(last.ltp).toBe(s.stats().tokens[last.token]!.ltp);
  });

  it('emits 200-byte and 48-byte packets for full mode when configured, decoded with the UTC count', async () => {
    const s = await start({ fullEquityPacket: 'full200', fullIndexPacket: 'index48', tickTimeZone: 'utc' });
    const token = await loginWithTotp(s);
    const probe = track(await subscribedFeed(s, token, ALL, 'full'));
    s.emitTicks(300);
    await waitFor('packets', () => probe.packetLengths().length === s.stats().totals.packetsSent);
    expect(new Set(probe.packetLengths())).toEqual(new Set([200, 48]));
    const ticks = probe.ticks('utc');
    for (const t of ALL) {
      const st = s.stats().tokens[String(t)]!;
      const last = ticks.filter((k) => k.token === String(t)).at(-1)!;
      expect(last).toMatchObject({
        ltp: st.ltp,
        exchangeTime: THURSDAY_1000_IST,
        upperCircuit: st.upperCircuit,
        lowerCircuit: st.lowerCircuit,
        yearHigh: st.yearHigh,
        yearLow: st.yearLow,
      });
    }
    // Read with the other convention, the same bytes land 5 h 30 min earlier.
    expect(probe.ticks('ist').at(-1)!.exchangeTime).toBe(THURSDAY_1000_IST - 19_800_000);
  });

  it('sends only subscribed tokens, and stops a token after unsubscribe', async () => {
    const s = await start();
    const token = await loginWithTotp(s);
    const probe = track(await subscribedFeed(s, token, [RELIANCE, TCS], 'quote'));
    probe.send({ a: 'unsubscribe', v: [TCS] });
    await waitFor('the unsubscribe', () => s.stats().clients[0]!.subscribed.length === 1);
    s.emitTicks(500);
    await waitFor('packets', () => probe.ticks().length === s.stats().totals.packetsSent);
    expect(new Set(probe.ticks().map((t) => t.token))).toEqual(new Set(['2885']));
    expect(s.stats().clients[0]!.messages).toEqual([
      `LOGIN:${token}`,
      '{"a":"subscribe","v":[2885,11536]}',
      '{"a":"mode","v":["quote",[2885,11536]]}',
      '{"a":"unsubscribe","v":[11536]}',
    ]);
  });

  it('ignores unknown text and answers malformed JSON with an error message', async () => {
    const s = await start();
    const token = await loginWithTotp(s);
    const probe = track(await subscribedFeed(s, token, [RELIANCE]));
    probe.send('hello there');
    probe.send('{"a":"subscribe","v":[1,');
    await waitFor('the error', () => probe.texts.length === 1);
    expect(JSON.parse(probe.texts[0]!)).toEqual({ type: 'error', data: 'Invalid JSON message' });
    expect(probe.ws.readyState).toBe(probe.ws.OPEN);
  });

  it('refuses tokens beyond the per-connection limit with an error message', async () => {
    const s = await start({ maxInstrumentsPerConnection: 2 });
    const token = await loginWithTotp(s);
    const probe = track(await subscribedFeed(s, token, ALL));
    await waitFor('the error', () => probe.texts.length === 1);
    expect(JSON.parse(probe.texts[0]!)).toEqual({
      type: 'error',
      data: 'Subscription limit of 2 instruments reached; 1 not subscribed: 11536',
    });
    expect(s.stats().clients[0]!.subscribed).toEqual([NIFTY, RELIANCE]);
  });

  it('sends a 1-byte heartbeat when idle', async () => {
    const s = await start({ heartbeatIntervalMs: 100, pumpIntervalMs: 20 });
    const token = await loginWithTotp(s);
    const probe = track(await subscribedFeed(s, token, [RELIANCE]));
    await waitFor('two heartbeats', () => probe.frames.length >= 2);
    expect(probe.frames.every((f) => f.length === 1)).toBe(true);
    expect(probe.decodeAll().every((r) => r.heartbeat)).toBe(true);
  });
});

describe('simulator feed: rate and market hours', () => {
  it('ticks on its own at the configured rate in market hours', async () => {
    const s = await start({ rate: 400, pumpIntervalMs: 20 });
    const token = await loginWithTotp(s);
    const probe = track(await subscribedFeed(s, token, ALL, 'quote'));
    await waitFor('ticks', () => probe.ticks().length >= 10);
    expect(s.stats().totals.ticks).toBeGreaterThan(0);
  });

  it('sends no ticks outside market hours, unless always open', async () => {
    const closed = await start({ clock: () => SATURDAY_1000_IST, rate: 2000, pumpIntervalMs: 20 });
    expect(closed.stats().marketOpen).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(closed.stats().totals.ticks).toBe(0);
    await closed.close();
    const open = await start({
      clock: () => SATURDAY_1000_IST,
      rate: 2000,
      pumpIntervalMs: 20,
      alwaysOpen: true,
    });
    await waitFor('ticks', () => open.stats().totals.ticks > 0);
  });
});

const statsOverHttp = async (s: RunningSimulator): Promise<unknown> =>
  (await fetch(`${s.url}/sim/stats`)).json();

describe('simulator stats: connections', () => {
  it('lists each WebSocket with the tokens subscribed on it now, and a closed one as following nothing', async () => {
    const s = await start();
    const token = await loginWithTotp(s);
    const first = track(await subscribedFeed(s, token, [RELIANCE, TCS]));
    track(await subscribedFeed(s, token, [NIFTY]));
    first.send({ a: 'unsubscribe', v: [TCS] });
    await waitFor('the unsubscribe', () => s.stats().clients[0]!.subscribed.length === 1);
    expect(s.stats().connections).toEqual([
      { id: '1', open: true, tokens: [RELIANCE] },
      { id: '2', open: true, tokens: [NIFTY] },
    ]);
    first.close();
    await waitFor('the close', () => s.stats().connections[0]?.open === false);
    const body = (await statsOverHttp(s)) as { connections: unknown; clients: { subscribed: unknown }[] };
    expect(body.connections).toEqual([
      { id: '1', open: false, tokens: [] },
      { id: '2', open: true, tokens: [NIFTY] },
    ]);
    // clients[] is unchanged: it still shows what the closed socket had subscribed.
    expect(body.clients[0]!.subscribed).toEqual([RELIANCE]);
  });
});

describe('simulator sessions: --single-session', () => {
  it('ends the older session when the same user logs in again: its token refused, its feed closed 1008', async () => {
    const s = await start({ singleSession: true });
    const older = await loginWithTotp(s);
    const feed = track(await subscribedFeed(s, older, [RELIANCE]));
    const newer = await loginWithTotp(s);
    expect(await feed.closed).toEqual({ code: 1008, reason: 'Session expired' });
    // The refusal an unknown or logged-out token gets.
    const refused = await get(s, 'instruments/scriptmaster', older);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ status: 'error', error_type: 'TokenException' });
    await expect(track(FeedProbe.connect(s, older)).opened).rejects.toThrow(/502/);
    expect((await get(s, 'instruments/scriptmaster', newer)).status).toBe(200);
    expect(s.stats().liveSessions).toBe(1);
    await waitFor('the closed connection', () => s.stats().connections[0]?.open === false);
  });

  it('keeps several sessions alive side by side without the switch', async () => {
    const s = await start();
    const older = await loginWithTotp(s);
    const feed = track(await subscribedFeed(s, older, [RELIANCE]));
    const newer = await loginWithTotp(s);
    expect((await get(s, 'instruments/scriptmaster', older)).status).toBe(200);
    expect((await get(s, 'instruments/scriptmaster', newer)).status).toBe(200);
    expect(s.stats().liveSessions).toBe(2);
    expect(feed.ws.readyState).toBe(feed.ws.OPEN);
    expect(s.stats().connections).toEqual([{ id: '1', open: true, tokens: [RELIANCE] }]);
  });
});
