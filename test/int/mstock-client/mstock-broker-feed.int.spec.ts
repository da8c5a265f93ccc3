import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame, encodePacket, HEARTBEAT_FRAME } from '../../../src/simulator/encode-frame.ts';
import { QUIET_SOCKET } from '../../../src/adapters/mstock/feed-watchdog.ts';
import { InvalidCredentials } from '../../../src/adapters/mstock/mstock-errors.ts';
import type { MstockBrokerFeed } from '../../../src/adapters/mstock/mstock-broker-feed.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { epochMs } from '../../../src/domain/units.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import type { Subscription } from '../../../src/ports/broker-feed.ts';
import { html502 } from '../../unit/mstock-client/fake-broker-fetch.ts';
import { feedReader } from './feed-reader.ts';
import { makeFeed as feedUnderTest, quotes, type Options } from './feed-under-test.ts';
import { startFeedTestServer, type FeedTestServer } from './feed-test-server.ts';

const NIFTY = 26000;
const TCS = 11536;
const RELIANCE = 2885;
const SUBSCRIPTION: Subscription = { tokens: [NIFTY, TCS].map(instrumentToken), mode: 'full' };

let server: FeedTestServer;
beforeEach(async () => {
  server = await startFeedTestServer();
});
afterEach(async () => {
  for (const abort of open.splice(0)) abort();
  await server.close();
});

const makeFeed = (options: Options = {}) => feedUnderTest(server, options);

/** Readers still open at the end of a test are aborted, so a failed test leaves no feed running. */
const open: (() => void)[] = [];
const reader = (feed: MstockBrokerFeed, subscription = SUBSCRIPTION) => {
  const r = feedReader(feed, subscription);
  open.push(r.abort);
  return r;
};

describe('MstockBrokerFeed against a WebSocket server', () => {
  it('logs in, subscribes in chunks, sets the mode, and yields one ticks message per frame', async () => {
    const { feed, logger, metrics } = makeFeed();
    const r = reader(feed);
    expect(await r.next('connected')).toMatchObject({ attempt: 1 });
    const conn = await server.subscribed(1);
    expect(conn.url).toBe('/?API_KEY=key%2F%2B&ACCESS_TOKEN=tok1');
    expect(conn.received).toEqual([
      'LOGIN:tok1',
      '{"a":"subscribe","v":[26000,11536]}',
      '{"a":"mode","v":["full",[26000,11536]]}',
    ]);
    expect(logger.lines()).toContain('[INFO] Connected to MStock WebSocket');
    const connected = logger.records.find((l) => l.message === 'Connected to MStock WebSocket');
    expect(connected?.fields).toEqual({ socket: 1, instruments: 2 });
    conn.socket.send(quotes([NIFTY, 2_590_055], [TCS, 310_010]));
    const message = await r.next('ticks');
    expect(message.ticks.map((t) => [t.token, t.ltp])).toEqual([
      ['26000', 25900.55],
      ['11536', 3100.1],
    ]);
    expect(
      message.ticks.every((t) => t.exchangeTime === undefined && t.receivedAt === message.receivedAt),
    ).toBe(true);
    expect(metrics.value('websocket_packets_total')).toBe(2);
    expect(metrics.value('websocket_frames_total', { type: 'data' })).toBe(1);
    expect(metrics.value('websocket_data_bytes_total')).toBe(2 + 2 * (2 + 44));
    r.abort();
  });

  it('drops ticks of tokens it did not subscribe, and counts them', async () => {
    const { feed, metrics } = makeFeed();
    const r = reader(feed);
    await r.next('connected');
    const conn = await server.subscribed(1);
    conn.socket.send(quotes([RELIANCE, 140_000], [TCS, 310_000]));
    expect((await r.next('ticks')).ticks.map((t) => t.token)).toEqual(['11536']);
    expect(metrics.value('websocket_unsubscribed_ticks_total')).toBe(1);
    r.abort();
  });

  it('skips malformed packets, counts each, logs one line per length, and reads the rest of the frame', async () => {
    const { feed, metrics, logger } = makeFeed();
    const r = reader(feed);
    await r.next('connected');
    const conn = await server.subscribed(1);
    const good = encodePacket({ token: TCS, ltp: 310_000 }, 'ltp8');
    const bad = new Uint8Array(50);
    conn.socket.send(encodeFrame([bad, good, bad]));
    conn.socket.send(Uint8Array.of(0, 5, 0)); // announces 5 packets, holds none
    conn.socket.send(quotes([NIFTY, 1]));
    expect((await r.next('ticks')).ticks.map((t) => t.token)).toEqual(['11536']);
    await r.next('ticks');
    expect(metrics.value('websocket_malformed_packets_total')).toBe(3);
    const lines = logger.records.filter((l) => l.message === 'Skipped a malformed m.Stock packet');
    expect(lines.map((l) => l.fields.length)).toEqual([50, 1]);
    r.abort();
  });

  it('logs "Tick received for <token>" at debug level only, at most once a second per token', async () => {
    for (const level of ['debug', 'info'] as const) {
      const { feed, logger } = makeFeed({ logLevel: level });
      const r = reader(feed);
      await r.next('connected');
      const conn = await server.subscribed(level === 'debug' ? 1 : 2);
      for (let i = 0; i < 20; i++) conn.socket.send(quotes([NIFTY, 100 + i], [TCS, 200 + i]));
      for (let i = 0; i < 20; i++) await r.next('ticks');
      const tickLines = logger.lines().filter((l) => l.includes('Tick received'));
      expect(tickLines).toEqual(
        level === 'debug' ? ['[DEBUG] Tick received for 26000', '[DEBUG] Tick received for 11536'] : [],
      );
      r.abort();
    }
  });

  it('logs and counts error messages from the server, ignoring other text', async () => {
    const { feed, metrics, logger } = makeFeed();
    const r = reader(feed);
    await r.next('connected');
    const conn = await server.subscribed(1);
    conn.socket.send('{"type":"error","data":"Invalid token tok1"}');
    conn.socket.send('{"type":"order","data":{}}');
    conn.socket.send('hello');
    conn.socket.send(quotes([NIFTY, 1]));
    await r.next('ticks');
    expect(metrics.value('websocket_server_errors_total')).toBe(1);
    expect(metrics.value('websocket_frames_total', { type: 'text' })).toBe(3);
    const line = logger.records.find((l) => l.message === 'MStock WebSocket reported an error');
    expect(line?.fields.message).toBe('Invalid token ***');
    r.abort();
  });

  it('reconnects after a drop, restores LOGIN, every subscription and the mode, and reports the gap', async () => {
    const { feed, metrics } = makeFeed();
    const r = reader(feed);
    const first = await r.next('connected');
    const conn1 = await server.subscribed(1);
    conn1.socket.send(HEARTBEAT_FRAME);
    conn1.socket.terminate();
    const down = await r.next('disconnected');
    const again = await r.next('connected');
    const gap = await r.next('gap');
    expect(again.attempt).toBe(2);
    expect(gap.gap.cause).toBe('disconnect');
    expect(gap.gap.tokens).toEqual(SUBSCRIPTION.tokens);
    expect(gap.gap.from).toBeGreaterThanOrEqual(first.at);
    expect(gap.gap.from).toBeLessThanOrEqual(down.at);
    expect(gap.gap.to).toBe(again.at);
    const conn2 = await server.subscribed(2);
    expect(conn2.received).toEqual(conn1.received);
    expect(metrics.value('websocket_reconnects_total')).toBe(1);
    r.abort();
  });

  it('replaces a silent socket while the market is open, with a mute-socket gap', async () => {
    const { feed } = makeFeed({ feed: { staleAfterMs: 300 } });
    const r = reader(feed);
    await r.next('connected');
    await server.subscribed(1);
    const down = await r.next('disconnected');
    expect(down.reason).toContain('silent');
    expect((await r.next('gap')).gap.cause).toBe('mute-socket');
    await server.subscribed(2);
    expect(server.connections[0]!.closed).toBe(true);
    r.abort();
  });

  it('replaces on request a socket quiet of ticks for that long, with a mute-socket gap from its last tick', async () => {
    const { feed } = makeFeed();
    const r = reader(feed);
    await r.next('connected');
    const conn = await server.subscribed(1);
    conn.socket.send(quotes([NIFTY, 1]));
    const ticked = await r.next('ticks');
    // It just ticked: not quiet for a minute.
    expect(feed.replaceQuietConnections(60_000)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(feed.replaceQuietConnections(300)).toBe(true);
    expect((await r.next('disconnected')).reason).toBe(QUIET_SOCKET);
    await r.next('connected');
    const gap = (await r.next('gap')).gap;
    expect(gap.cause).toBe('mute-socket');
    expect(gap.from).toBe(ticked.receivedAt);
    await server.subscribed(2);
    r.abort();
  });

  it('leaves a silent socket alone while the market is closed', async () => {
    const { feed } = makeFeed({ feed: { staleAfterMs: 300, isMarketOpen: () => false } });
    const r = reader(feed);
    await r.next('connected');
    const conn = await server.subscribed(1);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // over three times staleAfterMs
    conn.socket.send(quotes([NIFTY, 1]));
    await r.next('ticks');
    expect(r.seen.map((m) => m.kind)).toEqual(['connected', 'ticks']);
    expect(server.connections).toHaveLength(1);
    r.abort();
  });

  it('logs in again after a 403 handshake, and after repeated 502 refusals', async () => {
    const { feed, metrics, rest } = makeFeed({ feed: { reloginAfterFailedConnections: 2 } });
    server.refuseNext(403, 502, 502);
    const r = reader(feed);
    expect((await r.next('connected')).attempt).toBe(4);
    const conn = await server.subscribed(1);
    // tok1 refused by 403 → tok2; two 502s → tok3.
    expect(conn.received[0]).toBe('LOGIN:tok3');
    expect(rest.requests.filter((q) => q.path === '/connect/login')).toHaveLength(3);
    expect(metrics.value('websocket_connect_failures_total', { error: 'SessionExpired' })).toBe(1);
    expect(metrics.value('websocket_connect_failures_total', { error: 'BrokerUnavailable' })).toBe(2);
    r.abort();
  });

  /** A feed on its first socket, which has delivered a frame: the token and subscription worked. */
  const feedThatFramed = async () => {
    const made = makeFeed();
    const r = reader(made.feed);
    await r.next('connected');
    const first = await server.subscribed(1);
    first.socket.send(HEARTBEAT_FRAME);
    return { ...made, r, first };
  };
  const loginsMade = (rest: ReturnType<typeof makeFeed>['rest']): number =>
    rest.requests.filter((q) => q.path === '/connect/login').length;

  it('logs in again at once when the server closes the socket and then refuses its token', async () => {
    const { r, first, rest } = await feedThatFramed();
    server.refuseNext(502);
    first.socket.close(1008, 'Session expired');
    expect((await r.next('disconnected')).reason).toBe('closed by the server (code 1008: Session expired)');
    // One refusal is enough after a server's close (three in a row otherwise).
    expect((await r.next('connected')).attempt).toBe(3);
    expect((await server.subscribed(2)).received[0]).toBe('LOGIN:tok2');
    expect(loginsMade(rest)).toBe(2);
    r.abort();
  });

  it('keeps the token when the server closes the socket and then takes it again', async () => {
    const { r, first, rest, logger } = await feedThatFramed();
    first.socket.close(1001, 'going away');
    await r.next('disconnected');
    expect((await r.next('connected')).attempt).toBe(2);
    expect((await server.subscribed(2)).received[0]).toBe('LOGIN:tok1');
    expect(loginsMade(rest)).toBe(1);
    expect(logger.lines().filter((l) => l.startsWith('[ERROR]'))).toEqual([]);
    r.abort();
  });

  it('ends with InvalidCredentials instead of retrying a wrong password', async () => {
    const { feed } = makeFeed({ password: 'wrong' });
    const r = reader(feed);
    await expect(r.next('connected')).rejects.toBeInstanceOf(InvalidCredentials);
    expect(server.connections).toHaveLength(0);
  });

  it('pauses the socket for a slow consumer instead of buffering without bound, and loses nothing', async () => {
    const { feed, metrics } = makeFeed({ feed: { highWaterMarkFrames: 50 } });
    const r = reader(feed);
    await r.next('connected');
    const conn = await server.subscribed(1);
    const frames = 3000;
    for (let i = 0; i < frames; i++) conn.socket.send(quotes([NIFTY, i + 1]));
    // The consumer sleeps while the frames arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(metrics.value('websocket_backpressure_pauses_total')).toBeGreaterThan(0);
    const prices: number[] = [];
    while (prices.length < frames)
      prices.push(...(await r.next('ticks')).ticks.map((t) => Math.round(t.ltp * 100)));
    expect(prices).toEqual(Array.from({ length: frames }, (_, i) => i + 1));
    expect(r.seen.some((m) => m.kind === 'disconnected')).toBe(false);
    r.abort();
  });

  it('logs in again before the session expires, then moves to a socket with the new token', async () => {
    let shift = 0;
    const clock: Clock = { now: () => epochMs(Date.now() + shift) };
    const { feed, logger } = makeFeed({ clock, feed: { isMarketOpen: () => false } });
    const r = reader(feed);
    await r.next('connected');
    const first = await server.subscribed(1);
    // Ten minutes (the default margin) before the 12 hours are up.
    shift = 12 * 3_600_000 - 600_000;
    const down = await r.next('disconnected');
    expect(down.reason).toContain('renewal');
    await r.next('connected');
    const second = await server.subscribed(2);
    expect([first.received[0], second.received[0]]).toEqual(['LOGIN:tok1', 'LOGIN:tok2']);
    // The old socket was given up only once the new token was in hand.
    expect(logger.lines().indexOf('[INFO] Logged in to m.Stock', 1)).toBeLessThan(
      logger.lines().indexOf('[WARN] Disconnected from MStock WebSocket'),
    );
    r.abort();
  });

  it('keeps the socket when an early renewal fails, and says so', async () => {
    let shift = 0;
    const clock: Clock = { now: () => epochMs(Date.now() + shift) };
    const { feed, logger } = makeFeed({
      clock,
      feed: { isMarketOpen: () => false },
      verifyAnswer: (n) => (n === 2 ? html502() : undefined),
    });
    const r = reader(feed);
    await r.next('connected');
    const conn = await server.subscribed(1);
    shift = 12 * 3_600_000 - 600_000;
    await server.waitFor('the failed renewal', () =>
      logger.lines().includes('[WARN] Could not renew the m.Stock session ahead of expiry')
        ? true
        : undefined,
    );
    conn.socket.send(quotes([NIFTY, 1]));
    await r.next('ticks');
    expect(r.seen.map((m) => m.kind)).toEqual(['connected', 'ticks']);
    r.abort();
  });

  it('logs in again when connections keep closing before their first frame', async () => {
    const { feed } = makeFeed({ feed: { reloginAfterFailedConnections: 2 } });
    const r = reader(feed);
    await r.next('connected');
    (await server.subscribed(1)).socket.terminate();
    await r.next('connected');
    (await server.subscribed(2)).socket.terminate();
    await r.next('connected');
    const third = await server.subscribed(3);
    expect(server.connections.map((c) => c.received[0])).toEqual(['LOGIN:tok1', 'LOGIN:tok1', 'LOGIN:tok2']);
    third.socket.send(quotes([TCS, 5]));
    await r.next('ticks');
    r.abort();
  });

  it('ends cleanly on abort: the socket closed, no timer left behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
    // Short timers an earlier test left (a backoff, a close) must run out first, or one ending
    // mid-test would look like a timer this feed took away.
    let before = timers();
    for (let still = 0; still < 10;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const now = timers();
      still = now === before ? still + 1 : 0;
      before = now;
    }
    const { feed } = makeFeed();
    const r = reader(feed);
    await r.next('connected');
    const conn = await server.subscribed(1);
    r.abort();
    expect(await r.iterator.next()).toEqual({ done: true, value: undefined });
    await server.waitFor('the server to see the close', () => (conn.closed ? true : undefined));
    expect(timers()).toBe(before);
  });
});
