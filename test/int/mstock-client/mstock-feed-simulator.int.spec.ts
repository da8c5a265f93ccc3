import { afterEach, describe, expect, it } from 'vitest';
import type { PacketKind } from '../../../src/protocol/mstock/packet-layout.ts';
import { istInstant, istTime, parseIstDate } from '../../../src/domain/ist.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import type { Subscription, SubscriptionMode } from '../../../src/ports/broker-feed.ts';
import { MALFORMED_FRAME_KINDS } from '../../../src/simulator/fault-state.ts';
import type { SimulatorStats, TokenStats } from '../../../src/simulator/simulator-stats.ts';
import { feedReader } from './feed-reader.ts';
import { eventually, startSimulatorAndAdapters, type SimulatorAndAdapters } from './simulator-harness.ts';

const NIFTY = '26000';
const RELIANCE = '2885';
const TCS = '11536';

let h: SimulatorAndAdapters | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The tick fields each packet carries, beyond token, ltp and volume (mstock-protocol.md, Binary frames). */
const QUOTE = [
  'lastTradedQuantity',
  'averagePrice',
  'totalBuyQuantity',
  'totalSellQuantity',
  'open',
  'high',
  'low',
  'close',
];
const FULL = [
  ...QUOTE,
  'lastTradeTime',
  'openInterest',
  'openInterestDayHigh',
  'openInterestDayLow',
  'exchangeTime',
  'depth',
];
const CIRCUITS = ['upperCircuit', 'lowerCircuit', 'yearHigh', 'yearLow'];
const FIELDS: Readonly<Record<PacketKind, readonly string[]>> = {
  ltp8: [],
  quote44: QUOTE,
  full184: FULL,
  full200: [...FULL, ...CIRCUITS],
  index28: ['high', 'low', 'open', 'close', 'change'],
  index32: ['high', 'low', 'open', 'close', 'change', 'exchangeTime'],
  index48: ['open', 'high', 'low', 'close', 'lastTradeTime', 'exchangeTime', ...CIRCUITS],
};
const OPTIONAL_TICK_FIELDS = [...new Set(Object.values(FIELDS).flat())];

/** The tick the simulator's stats describe for a packet of `kind`: its fields, as the stats give them. */
const expectedTick = (stats: TokenStats, kind: PacketKind): Record<string, unknown> => {
  const values: Record<string, unknown> = {
    ...stats,
    openInterest: 0,
    openInterestDayHigh: 0,
    openInterestDayLow: 0,
  };
  const expected: Record<string, unknown> = {
    ltp: stats.ltp,
    volume: kind === 'ltp8' || kind.startsWith('index') ? 0 : stats.volume,
  };
  // A time of 0 is "not sent", which the stats give as null and the tick leaves out.
  for (const field of FIELDS[kind]) if (values[field] !== null) expected[field] = values[field];
  return expected;
};
const actualTick = (tick: Tick): Record<string, unknown> => {
  const fields: Record<string, unknown> = { ltp: tick.ltp, volume: tick.volume };
  for (const [key, value] of Object.entries(tick))
    if (OPTIONAL_TICK_FIELDS.includes(key)) fields[key] = value;
  return fields;
};

const packetKinds = (mode: SubscriptionMode, full: PacketKind, index: PacketKind) =>
  mode === 'ltp'
    ? { equity: 'ltp8' as const, index: 'ltp8' as const }
    : mode === 'quote'
      ? { equity: 'quote44' as const, index: 'index28' as const }
      : { equity: full, index };

/** The simulator's client for the newest connection, once it has taken the subscription. */
const subscribedClient = (stats: SimulatorStats, subscription: Subscription) => {
  const client = stats.clients.at(-1);
  return client !== undefined &&
    client.closedAt === null &&
    client.mode === subscription.mode &&
    client.subscribed.length === subscription.tokens.length
    ? client
    : undefined;
};

describe('MstockBrokerFeed against the simulator', () => {
  // A fixed trading day (Thursday 10:00 IST) makes the simulated market the same on every run: on
  // this one (seed 1) NIFTY trades below its previous close, so the signed change is negative.
  const start = Date.now();
  const marketClock = (): number =>
    istInstant(parseIstDate('2025-03-06')!, istTime(10, 0)) + (Date.now() - start);

  it.each([
    ['full184', 'index32'],
    ['full200', 'index48'],
  ] as const)(
    'decodes every packet of every mode (%s, %s) to the values the simulator sent',
    async (full, index) => {
      h = await startSimulatorAndAdapters({
        sim: { clock: marketClock, alwaysOpen: false, fullEquityPacket: full, fullIndexPacket: index },
      });
      const sim = h.sim;
      let negativeChangeSeen = false;
      for (const mode of ['ltp', 'quote', 'full'] as const) {
        const subscription: Subscription = { tokens: [NIFTY, RELIANCE].map(instrumentToken), mode };
        const r = feedReader(h.feed, subscription);
        await r.next('connected');
        await eventually('the subscription', () => subscribedClient(sim.stats(), subscription));
        const kinds = packetKinds(mode, full, index);
        const baseline = sim.stats().tokens;
        const received = new Map<string, number>([
          [NIFTY, 0],
          [RELIANCE, 0],
        ]);
        for (let round = 0; round < 3; round++) {
          sim.emitTicks(400);
          const stats = sim.stats().tokens;
          const owed = (token: string) =>
            stats[token]!.sent - baseline[token]!.sent - (received.get(token) ?? 0);
          const last = new Map<string, Tick>();
          while (owed(NIFTY) > 0 || owed(RELIANCE) > 0) {
            for (const tick of (await r.next('ticks')).ticks) {
              last.set(tick.token, tick);
              received.set(tick.token, (received.get(tick.token) ?? 0) + 1);
            }
          }
          for (const [token, tick] of last) {
            const kind = token === NIFTY ? kinds.index : kinds.equity;
            expect(actualTick(tick), `${mode} ${kind} ${token}`).toEqual(expectedTick(stats[token]!, kind));
            if (token === NIFTY && tick.change !== undefined && tick.change < 0) negativeChangeSeen = true;
          }
        }
        expect(received.get(NIFTY)).toBeGreaterThan(0);
        expect(received.get(RELIANCE)).toBeGreaterThan(0);
        r.abort();
      }
      // Index packets of 28 (quote) and 32 bytes carry the change, read signed.
      expect(negativeChangeSeen).toBe(true);
      expect(h.metrics.value('websocket_malformed_packets_total')).toBe(0);
    },
  );

  it('counts and skips every kind of malformed frame, and goes on decoding', async () => {
    h = await startSimulatorAndAdapters();
    const sim = h.sim;
    const subscription: Subscription = { tokens: [RELIANCE].map(instrumentToken), mode: 'ltp' };
    const r = feedReader(h.feed, subscription);
    await r.next('connected');
    await eventually('the subscription', () => subscribedClient(sim.stats(), subscription));
    for (const kind of MALFORMED_FRAME_KINDS) sim.faults.sendMalformedFrames(kind, 1);
    sim.emitTicks(200);
    // Every good packet arrives, the ones inside the broken frames included.
    const sent = sim.stats().tokens[RELIANCE]!.sent;
    let good = 0;
    while (good < sent) good += (await r.next('ticks')).ticks.length;
    expect(good).toBe(sent);
    expect(h.metrics.value('websocket_malformed_packets_total')).toBe(MALFORMED_FRAME_KINDS.length);
    expect(r.seen.some((m) => m.kind === 'disconnected')).toBe(false);
    const logged = h.logger.records.filter((l) => l.message === 'Skipped a malformed m.Stock packet');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((l) => typeof l.fields.length === 'number')).toBe(true);
    r.abort();
  });

  it('recovers a dropped connection with LOGIN, every subscription and the mode sent again', async () => {
    h = await startSimulatorAndAdapters({
      sim: { rate: 200 },
      settings: { feed: { maxInstrumentsPerSocket: 3 } },
    });
    const sim = h.sim;
    const subscription: Subscription = { tokens: [NIFTY, RELIANCE, TCS].map(instrumentToken), mode: 'full' };
    const r = feedReader(h.feed, subscription);
    await r.next('connected');
    await r.next('ticks');
    const before = await eventually('the subscription', () => subscribedClient(sim.stats(), subscription));
    expect(sim.faults.dropConnections()).toBe(1);
    const down = await r.next('disconnected');
    const up = await r.next('connected');
    const gap = (await r.next('gap')).gap;
    expect(up.attempt).toBe(2);
    expect(gap).toMatchObject({ tokens: subscription.tokens, to: up.at, cause: 'disconnect' });
    expect(gap.from).toBeLessThanOrEqual(down.at);
    const after = await eventually('the new subscription', () => subscribedClient(sim.stats(), subscription));
    expect(after.id).not.toBe(before.id);
    expect(after.messages).toEqual(before.messages);
    expect(after.messages.slice(1)).toEqual([
      '{"a":"subscribe","v":[26000,2885,11536]}',
      '{"a":"mode","v":["full",[26000,2885,11536]]}',
    ]);
    expect([...after.subscribed].sort()).toEqual([26000, 2885, 11536].sort());
    expect(new Set((await r.next('ticks')).ticks.map((t) => t.token)).size).toBeGreaterThan(0);
    const connects = h.logger.records.filter((l) => l.message === 'Connected to MStock WebSocket');
    expect(connects.map((l) => l.fields)).toEqual([
      { socket: 1, instruments: 3 },
      { socket: 1, instruments: 3 },
    ]);
    r.abort();
  });

  it('replaces a silent connection and restores every subscription', async () => {
    h = await startSimulatorAndAdapters({ sim: { rate: 200, heartbeatIntervalMs: 200 } });
    const sim = h.sim;
    const subscription: Subscription = { tokens: [NIFTY, TCS].map(instrumentToken), mode: 'quote' };
    const r = feedReader(h.feed, subscription);
    await r.next('connected');
    await r.next('ticks');
    const before = await eventually('the subscription', () => subscribedClient(sim.stats(), subscription));
    sim.faults.goSilent(1500);
    const down = await r.next('disconnected');
    expect(down.reason).toContain('silent');
    const gap = (await r.next('gap')).gap;
    expect(gap.cause).toBe('mute-socket');
    // The gap starts with the silence, before the socket was given up.
    expect(gap.from).toBeLessThan(down.at - 900);
    const after = await eventually('the new subscription', () => subscribedClient(sim.stats(), subscription));
    expect(after.id).not.toBe(before.id);
    expect(after.messages.slice(1)).toEqual(before.messages.slice(1));
    await r.next('ticks');
    r.abort();
  });

  it('logs in again when the session expires and its socket is closed', async () => {
    h = await startSimulatorAndAdapters({ sim: { rate: 100 } });
    const sim = h.sim;
    const subscription: Subscription = { tokens: [RELIANCE].map(instrumentToken), mode: 'ltp' };
    const r = feedReader(h.feed, subscription);
    await r.next('connected');
    const before = await eventually('the subscription', () => subscribedClient(sim.stats(), subscription));
    expect(sim.faults.expireSessions({ closeFeeds: true })).toBe(1);
    await r.next('disconnected');
    await r.next('connected');
    await r.next('ticks');
    const after = await eventually('the new subscription', () => subscribedClient(sim.stats(), subscription));
    expect(after.messages[0]).not.toBe(before.messages[0]);
    expect(h.logger.lines().filter((l) => l === '[INFO] Logged in to m.Stock')).toHaveLength(2);
    r.abort();
  });
});
