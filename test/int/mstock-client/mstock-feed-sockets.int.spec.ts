import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TooManyInstruments } from '../../../src/adapters/mstock/feed-socket-plan.ts';
import { ApiKeyRejected } from '../../../src/adapters/mstock/mstock-errors.ts';
import { API_KEY_TRIES } from '../../../src/adapters/mstock/open-feed-socket.ts';
import type { MstockBrokerFeed } from '../../../src/adapters/mstock/mstock-broker-feed.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { epochMs } from '../../../src/domain/units.ts';
import type { Subscription } from '../../../src/ports/broker-feed.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { HEARTBEAT_FRAME } from '../../../src/simulator/encode-frame.ts';
import { feedReader } from './feed-reader.ts';
import { fail } from '../../unit/mstock-client/fake-broker-fetch.ts';
import { startFeedTestServer, type FeedTestServer } from './feed-test-server.ts';
import { makeFeed, quotes } from './feed-under-test.ts';

// Five instruments, two per socket: sockets [1, 2], [3, 4], [5].
const TOKENS = [101, 102, 103, 104, 105];
const SUBSCRIPTION: Subscription = { tokens: TOKENS.map(String).map(instrumentToken), mode: 'ltp' };
const LIMITS = { maxInstrumentsPerSocket: 2, maxSockets: 3 };

let server: FeedTestServer;
const open: (() => void)[] = [];
beforeEach(async () => {
  server = await startFeedTestServer();
});
afterEach(async () => {
  for (const abort of open.splice(0)) abort();
  await server.close();
});

const reader = (feed: MstockBrokerFeed, subscription = SUBSCRIPTION) => {
  const r = feedReader(feed, subscription);
  open.push(r.abort);
  return r;
};

/** The tokens the n-th connection subscribed, from its subscribe messages. */
const subscribedOn = (n: number): number[] =>
  (server.connections[n - 1]?.received ?? [])
    .filter((m) => m.includes('"subscribe"'))
    .flatMap((m) => (JSON.parse(m) as { v: number[] }).v);

/** What connections n.. subscribed, one sorted list each, in a stable order. */
const sortedSubscriptions = (ns: readonly number[]): number[][] =>
  ns.map((n) => subscribedOn(n).sort((a, b) => a - b)).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));

/** A feed over three sockets, each connected, subscribed and past its first frame. */
const threeSockets = async () => {
  const made = makeFeed(server, { feed: LIMITS });
  const r = reader(made.feed);
  const connected = await r.next('connected');
  const conns = await Promise.all([1, 2, 3].map((n) => server.subscribed(n)));
  for (const c of conns) c.socket.send(HEARTBEAT_FRAME);
  return { ...made, r, connected, conns };
};

describe('MstockBrokerFeed over several sockets', () => {
  it('opens the sockets the instruments need, on one login, and says connected once all are up', async () => {
    const { r, connected, conns, rest, logger, metrics } = await threeSockets();
    expect(connected.attempt).toBe(1);
    expect(server.connections).toHaveLength(3);
    expect(conns.map((c) => c.received[0])).toEqual(['LOGIN:tok1', 'LOGIN:tok1', 'LOGIN:tok1']);
    expect([1, 2, 3].map(subscribedOn).sort()).toEqual([[101, 102], [103, 104], [105]]);
    expect(rest.requests.filter((q) => q.path === '/connect/login')).toHaveLength(1);
    const connects = logger.records.filter((l) => l.message === 'Connected to MStock WebSocket');
    expect(connects.map((l) => l.fields).sort((a, b) => Number(a.socket) - Number(b.socket))).toEqual([
      { socket: 1, instruments: 2 },
      { socket: 2, instruments: 2 },
      { socket: 3, instruments: 1 },
    ]);
    expect(metrics.value('feed_sockets_open')).toBe(3);
    expect(metrics.value('feed_socket_instruments', { socket: '3' })).toBe(1);
    // Every socket's ticks come out of the one stream.
    for (const c of conns)
      c.socket.send(
        quotes(...subscribedOn(server.connections.indexOf(c) + 1).map((t): [number, number] => [t, 100])),
      );
    const seen = new Set<string>();
    while (seen.size < TOKENS.length) for (const t of (await r.next('ticks')).ticks) seen.add(t.token);
    expect(r.seen.filter((m) => m.kind === 'connected')).toHaveLength(1);
  });

  it('a dropped socket: one disconnected, the others tick on, and its gap names only its instruments', async () => {
    const { r, conns, metrics } = await threeSockets();
    const lost = conns[1]!;
    const lostTokens = subscribedOn(2).map(String);
    const kept = subscribedOn(1);
    lost.socket.terminate();
    const down = await r.next('disconnected');
    expect(down.reason).not.toBe('');
    // The second socket is being replaced (backoff from 20 ms); the first keeps ticking meanwhile.
    conns[0]!.socket.send(quotes([kept[0]!, 500]));
    const again = await r.next('connected');
    const gap = (await r.next('gap')).gap;
    expect(again.attempt).toBe(2);
    expect(gap.tokens).toEqual(lostTokens);
    expect(gap.cause).toBe('disconnect');
    expect(gap.to).toBe(again.at);
    const replacement = await server.subscribed(4);
    expect(replacement.received).toEqual(lost.received);
    expect(r.seen.filter((m) => m.kind === 'disconnected')).toHaveLength(1);
    expect(metrics.value('websocket_reconnects_total')).toBe(1);
    expect(metrics.value('feed_sockets_open')).toBe(3);
    replacement.socket.send(quotes([Number(lostTokens[0]), 700]));
    const ticks = await r.next('ticks');
    expect(ticks.ticks.map((t) => t.token)).toContain(lostTokens[0]);
  });

  it('routes subscribe, unsubscribe and resubscribe to the socket that holds the instrument', async () => {
    const { feed, logger, metrics } = makeFeed(server, { feed: LIMITS });
    // Three instruments: sockets [1, 2] and [3].
    const r = reader(feed, { tokens: ['1', '2', '3'].map(instrumentToken), mode: 'ltp' });
    await r.next('connected');
    const [first, second] = await Promise.all([server.subscribed(1), server.subscribed(2)]);
    const firstHolds = subscribedOn(1).includes(1) ? first : second;
    const secondHolds = firstHolds === first ? second : first;
    // Room on the second socket first, then a new one.
    expect(feed.subscribe(['4', '5', '6'].map(instrumentToken))).toBe(true);
    await server.waitFor('4 on the socket with room', () =>
      secondHolds.received.includes('{"a":"subscribe","v":[4]}') ? true : undefined,
    );
    const third = await server.subscribed(3);
    expect(subscribedOn(3)).toEqual([5, 6]);
    expect(third.received[0]).toBe('LOGIN:tok1');
    // Every socket full and no fourth allowed: what fits nowhere is refused, loudly.
    expect(feed.subscribe(['7'].map(instrumentToken))).toBe(false);
    const refused = logger.records.find((l) => l.level === 'error');
    expect(refused?.message).toContain('MSTOCK_MAX_INSTRUMENTS_PER_SOCKET');
    expect(refused?.message).toContain('MSTOCK_MAX_SOCKETS');
    expect(refused?.fields).toMatchObject({ notSubscribed: 1, tokens: '7' });
    // Resubscribe goes to the owner only.
    const before = firstHolds.received.length;
    expect(feed.resubscribe(['3'].map(instrumentToken))).toBe(true);
    await server.waitFor('3 asked again', () =>
      secondHolds.received.filter((m) => m === '{"a":"subscribe","v":[3]}').length === 1 ? true : undefined,
    );
    expect(firstHolds.received).toHaveLength(before);
    // Unsubscribe to the owner; the third socket, emptied, closes without a disconnect.
    expect(feed.unsubscribe(['5', '6', '1'].map(instrumentToken))).toBe(true);
    await server.waitFor('1 unsubscribed on its socket', () =>
      firstHolds.received.at(-1) === '{"a":"unsubscribe","v":[1]}' ? true : undefined,
    );
    await server.waitFor('the emptied socket to close', () => (third.closed ? true : undefined));
    expect(metrics.value('feed_sockets_open')).toBe(2);
    firstHolds.socket.send(quotes([2, 100]));
    expect((await r.next('ticks')).ticks.map((t) => t.token)).toEqual(['2']);
    expect(r.seen.some((m) => m.kind === 'disconnected')).toBe(false);
  });

  it('a socket opened in the change that closed another is counted on its own (the number is reused, its status is not)', async () => {
    const { r, feed, conns, metrics } = await threeSockets();
    // The third socket holds 105 alone: removing it and adding 106 closes it and opens another as 3.
    const third = conns.find((c) => subscribedOn(server.connections.indexOf(c) + 1).includes(105))!;
    feed.unsubscribe(['105'].map(instrumentToken));
    feed.subscribe(['106'].map(instrumentToken));
    const fresh = await server.subscribed(4);
    await server.waitFor('the emptied socket to close', () => (third.closed ? true : undefined));
    expect(subscribedOn(4)).toEqual([106]);
    fresh.socket.send(quotes([106, 100]));
    expect((await r.next('ticks')).ticks.map((t) => t.token)).toEqual(['106']);
    expect(metrics.value('feed_socket_instruments', { socket: '3' })).toBe(1);
    expect(metrics.value('feed_sockets_open')).toBe(3);
    // The new socket's drop is the stream's disconnect, its return the stream's reconnect.
    fresh.socket.terminate();
    expect((await r.next('disconnected')).reason).not.toBe('');
    expect((await r.next('connected')).attempt).toBeGreaterThan(1);
    expect((await r.next('gap')).gap.tokens).toEqual(['106']);
  });

  it('an instrument added while its socket is down is not in the reconnect gap of that socket', async () => {
    const { r, feed, conns } = await threeSockets();
    const holder = conns.find((c) => subscribedOn(server.connections.indexOf(c) + 1).includes(105))!;
    holder.socket.terminate();
    await r.next('disconnected');
    // The socket with room is the one down: 106 joins it during the outage.
    expect(feed.subscribe(['106'].map(instrumentToken))).toBe(true);
    await r.next('connected');
    expect((await r.next('gap')).gap.tokens).toEqual(['105']);
    const replacement = await server.subscribed(4);
    expect(subscribedOn(4).sort()).toEqual([105, 106]);
    expect(replacement.received[0]).toBe('LOGIN:tok1');
  });

  it('refuses at once a subscription that needs more sockets than MSTOCK_MAX_SOCKETS allows', () => {
    const { feed } = makeFeed(server, { feed: { maxInstrumentsPerSocket: 2, maxSockets: 2 } });
    expect(() => feed.messages(SUBSCRIPTION, new AbortController().signal)).toThrow(TooManyInstruments);
    expect(server.connections).toHaveLength(0);
  });

  it('gives up after API_KEY_TRIES logins with a refused key, however many sockets wait on them', async () => {
    const { feed, rest } = makeFeed(server, {
      feed: LIMITS,
      verifyAnswer: () => fail(403, 'Invalid API key', 'APIKeyException'),
    });
    const r = reader(feed);
    await expect(r.next('connected')).rejects.toBeInstanceOf(ApiKeyRejected);
    expect(rest.requests.filter((q) => q.path === '/connect/login')).toHaveLength(API_KEY_TRIES);
    expect(server.connections).toHaveLength(0);
  });

  it('moves every socket to the one renewed login before the session expires', async () => {
    let shift = 0;
    const clock: Clock = { now: () => epochMs(Date.now() + shift) };
    const { feed, rest } = makeFeed(server, { clock, feed: { ...LIMITS, isMarketOpen: () => false } });
    const r = reader(feed, { tokens: ['1', '2', '3'].map(instrumentToken), mode: 'ltp' });
    await r.next('connected');
    await Promise.all([server.subscribed(1), server.subscribed(2)]);
    // Ten minutes (the default margin) before the 12 hours are up.
    shift = 12 * 3_600_000 - 600_000;
    expect((await r.next('disconnected')).reason).toContain('renewal');
    await r.next('connected');
    const moved = await Promise.all([server.subscribed(3), server.subscribed(4)]);
    expect(moved.map((c) => c.received[0])).toEqual(['LOGIN:tok2', 'LOGIN:tok2']);
    expect(rest.requests.filter((q) => q.path === '/connect/login')).toHaveLength(2);
    expect(sortedSubscriptions([3, 4])).toEqual(sortedSubscriptions([1, 2]));
  });

  it('ends every socket on abort', async () => {
    const { r, conns, metrics } = await threeSockets();
    r.abort();
    expect(await r.iterator.next()).toEqual({ done: true, value: undefined });
    await server.waitFor('every socket closed', () => (conns.every((c) => c.closed) ? true : undefined));
    expect(metrics.value('feed_sockets_open')).toBe(0);
  });
});
