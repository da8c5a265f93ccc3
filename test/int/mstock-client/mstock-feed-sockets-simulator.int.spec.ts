import { afterEach, describe, expect, it } from 'vitest';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { Subscription } from '../../../src/ports/broker-feed.ts';
import type { SimInstrument } from '../../../src/simulator/instrument-list.ts';
import { feedReader } from './feed-reader.ts';
import { eventually, startSimulatorAndAdapters, type SimulatorAndAdapters } from './simulator-harness.ts';

// 120 instruments at 50 a socket: three sockets (50, 50, 20).
const INSTRUMENTS: SimInstrument[] = Array.from({ length: 120 }, (_, i) => ({
  token: 70_001 + i,
  symbol: `SYM${i + 1}`,
  exchange: 'NSE',
  kind: 'equity',
  referencePaise: 100_000 + i * 100,
}));
const SUBSCRIPTION: Subscription = {
  tokens: INSTRUMENTS.map((i) => instrumentToken(String(i.token))),
  mode: 'quote',
};

let h: SimulatorAndAdapters | undefined;
let abort: (() => void) | undefined;
afterEach(async () => {
  abort?.();
  await h?.close();
  h = undefined;
});

const sorted = (tokens: readonly (string | number)[]): string[] => tokens.map(String).sort();

describe('MstockBrokerFeed over several sockets, against the simulator', () => {
  it('opens three sockets for 120 instruments, every one ticks, and a dropped socket gaps only its own', async () => {
    h = await startSimulatorAndAdapters({
      sim: { rate: 1000, instruments: INSTRUMENTS, maxInstrumentsPerConnection: 50 },
      settings: {
        feed: {
          maxInstrumentsPerSocket: 50,
          maxSockets: 3,
          reconnectBackoff: { initialMs: 50, maxMs: 300, multiplier: 2 },
        },
      },
    });
    const sim = h.sim;
    const r = feedReader(h.feed, SUBSCRIPTION);
    abort = r.abort;
    await r.next('connected');
    const openConnections = () => sim.stats().connections.filter((c) => c.open && c.tokens.length > 0);
    const sockets = await eventually('three subscribed connections', () => {
      const c = openConnections();
      return c.length === 3 && c.reduce((n, x) => n + x.tokens.length, 0) === 120 ? c : undefined;
    });
    expect(sockets.map((c) => c.tokens.length).sort((a, b) => a - b)).toEqual([20, 50, 50]);
    expect(sorted(sockets.flatMap((c) => c.tokens))).toEqual(sorted(SUBSCRIPTION.tokens));

    const ticked = new Set<string>();
    while (ticked.size < 120) for (const t of (await r.next('ticks')).ticks) ticked.add(t.token);

    const victim = sockets[1]!;
    const victimTokens = sorted(victim.tokens);
    // The victim cannot come back until the handshakes are let through again.
    sim.faults.refuseHandshakes(1000);
    const answer = await fetch(`${sim.url}/sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: 'drop-connection', connection: victim.id }),
    });
    expect(answer.status).toBe(200);
    await r.next('disconnected');
    // Meanwhile the other two sockets tick on, and nothing of the victim's comes.
    const whileDown = new Set<string>();
    while (whileDown.size < 20) {
      const next = await r.iterator.next();
      if (next.done === true) throw new Error('the feed ended');
      expect(next.value.kind).toBe('ticks');
      if (next.value.kind === 'ticks') for (const t of next.value.ticks) whileDown.add(t.token);
    }
    expect([...whileDown].filter((t) => victimTokens.includes(t))).toEqual([]);
    sim.faults.clear();
    const up = await r.next('connected');
    const gap = (await r.next('gap')).gap;
    expect(sorted(gap.tokens)).toEqual(victimTokens);
    expect(gap.cause).toBe('disconnect');
    expect(gap.to).toBe(up.at);
    // The other two sockets were never replaced; the victim's came back with its own instruments.
    const after = await eventually('the victim resubscribed', () => {
      const c = openConnections();
      return c.length === 3 && c.every((x) => x.tokens.length > 0) ? c : undefined;
    });
    const survivors = sockets.filter((c) => c.id !== victim.id).map((c) => c.id);
    expect(
      after
        .map((c) => c.id)
        .filter((id) => survivors.includes(id))
        .sort(),
    ).toEqual(survivors.sort());
    const replacement = after.find((c) => !survivors.includes(c.id));
    expect(replacement?.id).not.toBe(victim.id);
    expect(sorted(replacement?.tokens ?? [])).toEqual(victimTokens);
    const back = new Set<string>();
    while (!victimTokens.every((t) => back.has(t)))
      for (const t of (await r.next('ticks')).ticks) if (victimTokens.includes(t.token)) back.add(t.token);
    expect(r.seen.filter((m) => m.kind === 'disconnected')).toHaveLength(1);
  });
});
