import { afterEach, describe, expect, it } from 'vitest';
import { MALFORMED_FRAME_KINDS } from '../../../src/simulator/fault-state.ts';
import { type RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import type { SimulatorOptions } from '../../../src/simulator/simulator-options.ts';
import { FeedProbe, loginWithTotp, subscribedFeed, THURSDAY_1000_IST, waitFor } from './sim-test-client.ts';

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

const start = async (options: Partial<SimulatorOptions> = {}) => {
  sim = await startSimulator({ clock: () => THURSDAY_1000_IST, rate: 0, heartbeatIntervalMs: 0, ...options });
  return { s: sim, token: await loginWithTotp(sim) };
};
const feed = async (
  s: RunningSimulator,
  token: string,
  tokens = ALL,
  mode: 'ltp' | 'quote' | 'full' = 'quote',
) => {
  const p = await subscribedFeed(s, token, tokens, mode);
  probes.push(p);
  return p;
};
const postFault = async (s: RunningSimulator, body: unknown) => {
  const r = await fetch(`${s.url}/sim/faults`, { method: 'POST', body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('simulator faults: connections', () => {
  it('drops every connection without a close frame, and takes new ones', async () => {
    const { s, token } = await start();
    const a = await feed(s, token);
    expect(s.faults.dropConnections()).toBe(1);
    expect((await a.closed).code).toBe(1006);
    await waitFor('the close', () => s.stats().clients[0]!.closedAt !== null);
    const b = await feed(s, token);
    s.emitTicks(50);
    await waitFor('ticks on the new connection', () => b.ticks().length > 0);
  });

  it('drops one connection by its stats id and leaves the others, over POST /sim/faults', async () => {
    const { s, token } = await start();
    const a = await feed(s, token, [RELIANCE]);
    const b = await feed(s, token, [TCS]);
    const [first, second] = s.stats().connections;
    expect(first).toMatchObject({ open: true, tokens: [RELIANCE] });
    const dropped = await postFault(s, { fault: 'drop-connection', connection: first!.id });
    expect(dropped).toMatchObject({ status: 200, json: { result: 1 } });
    expect((await a.closed).code).toBe(1006);
    await waitFor('the close', () => s.stats().connections[0]?.open === false);
    expect(s.stats().connections[1]).toEqual({ id: second!.id, open: true, tokens: [TCS] });
    s.emitTicks(300);
    await waitFor('ticks on the connection left open', () => b.ticks().length > 0);
    expect(b.ws.readyState).toBe(b.ws.OPEN);
    // Already closed: nothing to close; an id nobody has: refused, naming it.
    expect(await postFault(s, { fault: 'drop-connection', connection: first!.id })).toMatchObject({
      status: 200,
      json: { result: 0 },
    });
    const unknown = await postFault(s, { fault: 'drop-connection', connection: '999' });
    expect(unknown.status).toBe(400);
    expect(unknown.json['error']).toContain('"999"');
    expect(s.faults.dropConnection('999')).toEqual({ kind: 'unknown-connection', id: '999' });
  });

  it('mutes one connection (heartbeats, no tick) while the others tick, until resume', async () => {
    const { s, token } = await start({ heartbeatIntervalMs: 50 });
    const a = await feed(s, token, [RELIANCE]);
    const b = await feed(s, token, [TCS]);
    const [first] = s.stats().connections;
    expect(await postFault(s, { fault: 'mute-connection', connection: first!.id })).toMatchObject({
      status: 200,
      json: { result: 1 },
    });
    const before = a.ticks().length;
    s.emitTicks(300);
    await waitFor('ticks on the other connection', () => b.ticks().length > 0);
    await sleep(200);
    expect(a.ticks().length).toBe(before);
    expect(s.stats().clients[0]!.heartbeatsSent).toBeGreaterThan(0);
    s.faults.resume();
    s.emitTicks(300);
    await waitFor('ticks again on the muted one', () => a.ticks().length > before);
    const unknown = await postFault(s, { fault: 'mute-connection', connection: '999' });
    expect(unknown.status).toBe(400);
    expect(unknown.json['error']).toContain('"999"');
  });

  it('goes silent without closing (no frames, no heartbeats), then speaks again', async () => {
    const { s, token } = await start({ heartbeatIntervalMs: 50, pumpIntervalMs: 10 });
    const p = await feed(s, token);
    s.faults.goSilent(300);
    expect(s.faults.active()).toMatchObject({ silent: true });
    const before = p.frames.length;
    s.emitTicks(100);
    await sleep(200);
    expect(p.frames.length).toBe(before);
    expect(p.ws.readyState).toBe(p.ws.OPEN);
    await waitFor('the silence to end', () => !s.faults.active().silent);
    s.emitTicks(100);
    await waitFor('frames again', () => p.ticks().length > 0);
  });

  it('mutes the ticks but keeps the heartbeats going, then ticks again on resume', async () => {
    const { s, token } = await start({ heartbeatIntervalMs: 50, pumpIntervalMs: 10 });
    const p = await feed(s, token);
    s.faults.muteTicks();
    expect(s.faults.active()).toMatchObject({ silent: false, ticksMuted: true });
    const ticksBefore = p.ticks().length;
    const framesBefore = p.frames.length;
    s.emitTicks(100);
    await sleep(300);
    expect(p.ticks().length).toBe(ticksBefore);
    // Frames still arrive: heartbeats only.
    expect(p.frames.length).toBeGreaterThan(framesBefore + 2);
    expect(s.stats().clients.at(-1)?.heartbeatsSent).toBeGreaterThan(2);
    expect((await postFault(s, { fault: 'resume' })).status).toBe(200);
    expect(s.faults.active()).toMatchObject({ ticksMuted: false });
    s.emitTicks(100);
    await waitFor('ticks again', () => p.ticks().length > ticksBefore);
    expect((await postFault(s, { fault: 'mute-ticks', ms: 1000 })).status).toBe(200);
    expect(s.faults.active()).toMatchObject({ ticksMuted: true });
  });

  it('stays silent until resume when no duration is given', async () => {
    const { s, token } = await start();
    const p = await feed(s, token);
    s.faults.goSilent();
    s.emitTicks(100);
    await sleep(100);
    expect(p.frames).toEqual([]);
    s.faults.resume();
    s.emitTicks(100);
    await waitFor('frames', () => p.frames.length > 0);
  });

  it('refuses the next N handshakes, then accepts', async () => {
    const { s, token } = await start();
    s.faults.refuseHandshakes(2);
    for (let i = 0; i < 2; i++) {
      const p = FeedProbe.connect(s, token);
      await expect(p.opened).rejects.toThrow(/502/);
    }
    const ok = FeedProbe.connect(s, token);
    probes.push(ok);
    await ok.opened;
    expect(s.stats().totals).toMatchObject({ handshakesRefused: 2, handshakesAccepted: 1 });
  });

  it('closes the feeds of expired sessions when asked', async () => {
    const { s, token } = await start();
    const p = await feed(s, token);
    expect(s.faults.expireSessions({ closeFeeds: true })).toBe(1);
    expect(await p.closed).toEqual({ code: 1008, reason: 'Session expired' });
  });
});

describe('simulator faults: frames', () => {
  it.each(MALFORMED_FRAME_KINDS)('sends %s frames whose good packets still decode', async (kind) => {
    const { s, token } = await start();
    const p = await feed(s, token, [RELIANCE]);
    expect(s.faults.sendMalformedFrames(kind, 2)).toBe(2);
    await waitFor('two frames', () => p.frames.length === 2);
    const results = p.decodeAll();
    expect(results.every((r) => r.malformed.length === 1)).toBe(true);
    const ticks = results.flatMap((r) => r.ticks);
    expect(ticks.length).toBe(s.stats().tokens['2885']!.sent);
    expect(ticks.every((t) => t.token === '2885' && t.ltp === s.stats().tokens['2885']!.ltp)).toBe(true);
    expect(s.stats().totals.malformedFramesSent).toBe(2);
  });

  it('silences one token while the others flow', async () => {
    const { s, token } = await start();
    const p = await feed(s, token);
    s.faults.silenceToken(TCS);
    s.emitTicks(600);
    await waitFor('packets', () => p.ticks().length === s.stats().totals.packetsSent);
    const tokens = new Set(p.ticks().map((t) => t.token));
    expect(tokens).toEqual(new Set(['26000', '2885']));
    expect(s.stats().tokens['11536']!.suppressed).toBeGreaterThan(0);
    expect(s.stats().tokens['11536']!.sent).toBe(0);
  });

  it("drops a share of one token's packets", async () => {
    const { s, token } = await start();
    const p = await feed(s, token, [RELIANCE]);
    s.faults.dropTokenPackets(RELIANCE, 0.5);
    s.emitTicks(3000);
    await waitFor('packets', () => p.ticks().length === s.stats().totals.packetsSent);
    const { sent, dropped } = s.stats().tokens['2885']!;
    expect(p.ticks().length).toBe(sent);
    expect(dropped).toBeGreaterThan(0);
    expect(sent / (sent + dropped)).toBeGreaterThan(0.3);
    expect(sent / (sent + dropped)).toBeLessThan(0.7);
  });

  it('sends prices outside the circuit limits for the next N ticks of a token', async () => {
    const { s, token } = await start({ fullEquityPacket: 'full200' });
    const p = await feed(s, token, [RELIANCE], 'full');
    s.faults.emitOutOfBand(RELIANCE, 3);
    s.emitTicks(2000);
    await waitFor('packets', () => p.ticks().length === s.stats().totals.packetsSent);
    const outside = p.ticks().filter((t) => t.ltp > t.upperCircuit!);
    expect(outside).toHaveLength(3);
    const upperPaise = Math.round(s.stats().tokens['2885']!.upperCircuit * 100);
    // 5% above the upper circuit, in whole 5-paise ticks.
    expect(Math.round(outside[0]!.ltp * 100)).toBe(Math.round((upperPaise * 1.05) / 5) * 5);
    expect(s.stats().tokens['2885']!.outOfBandSent).toBe(3);
  });
});

describe('simulator faults over HTTP', () => {
  it('applies a fault posted to /sim/faults and lists it', async () => {
    const { s, token } = await start();
    const r = await postFault(s, { fault: 'refuse-handshakes', count: 1 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ faults: { refuseHandshakes: 1 } });
    await expect(FeedProbe.connect(s, token).opened).rejects.toThrow(/502/);
    const listed = (await (await fetch(`${s.url}/sim/faults`)).json()) as Record<string, unknown>;
    expect(listed).toMatchObject({ refuseHandshakes: 0, silent: false });
  });

  it('sends malformed frames and expires sessions on request', async () => {
    const { s, token } = await start();
    const p = await feed(s, token, [RELIANCE]);
    expect((await postFault(s, { fault: 'malformed-frames', kind: 'zero-length' })).json).toMatchObject({
      result: 1,
    });
    await waitFor('the frame', () => p.frames.length === 1);
    expect((await postFault(s, { fault: 'expire-sessions', closeFeeds: true })).json).toMatchObject({
      result: 1,
    });
    expect((await p.closed).code).toBe(1008);
  });

  it('refuses a body that is not a known fault with 400', async () => {
    const { s } = await start();
    for (const body of [{ fault: 'explode' }, { fault: 'refuse-handshakes', count: -1 }, 'not json', {}]) {
      const r = await fetch(`${s.url}/sim/faults`, {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      expect(r.status).toBe(400);
    }
    expect(s.faults.active().refuseHandshakes).toBe(0);
  });

  it('serves the stats as JSON, the same as stats()', async () => {
    const { s, token } = await start();
    await feed(s, token, [RELIANCE]);
    const json = (await (await fetch(`${s.url}/sim/stats`)).json()) as ReturnType<RunningSimulator['stats']>;
    expect(json.tokens['2885']).toEqual(s.stats().tokens['2885']);
    expect(json.clients[0]).toMatchObject({ loggedIn: true, subscribed: [RELIANCE], mode: 'quote' });
  });
});
