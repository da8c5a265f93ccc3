import { MConnect, MTicker, type FeedData } from '@mstock-mirae-asset/nodetradingapi-typea';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import type { SubscriptionMode } from '../../../src/ports/broker-feed.ts';
import { totpAt } from '../../../src/simulator/totp-check.ts';
import { THURSDAY_1000_IST, waitFor } from './sim-test-client.ts';

/**
 * The official m.Stock Node SDK (@mstock-mirae-asset/nodetradingapi-typea 1.0.1) as a client of the
 * simulator: its REST login, its ticker's messages, its own packet parser. What it sends is the best
 * evidence of what the real server accepts.
 */

const NIFTY = 26000;
const RELIANCE = 2885;
const TCS = 11536;

const Session = t.type({ status: t.literal('success'), data: t.type({ access_token: t.string }) });
const LoginAnswer = t.type({ status: t.literal('success') });

let sim: RunningSimulator | undefined;
const tickers: MTicker[] = [];
/** What the SDK wrote to the console: its complaints about packets it could not read land here. */
let sdkConsole: string[] = [];

beforeEach(() => {
  sdkConsole = [];
  const keep = (...args: unknown[]): void => {
    sdkConsole.push(args.map(String).join(' '));
  };
  vi.spyOn(console, 'log').mockImplementation(keep);
  vi.spyOn(console, 'warn').mockImplementation(keep);
  vi.spyOn(console, 'error').mockImplementation(keep);
});

afterEach(async () => {
  // disconnect() first: a ticker whose socket the server closes schedules reconnections.
  for (const ticker of tickers.splice(0)) ticker.disconnect();
  await sim?.close();
  sim = undefined;
  vi.restoreAllMocks();
});

const start = async (): Promise<RunningSimulator> => {
  sim = await startSimulator({
    port: 0,
    rate: 0,
    heartbeatIntervalMs: 0,
    clock: () => THURSDAY_1000_IST,
    // The SDK reads circuit limits and the 52-week range at bytes 184-200 of every long equity
    // packet, so it reads a 184-byte packet past its end: it was written for the 200-byte one.
    fullEquityPacket: 'full200',
  });
  return sim;
};

const allTokens = (s: RunningSimulator): number[] => Object.keys(s.stats().tokens).map(Number);

/** Logs in with the SDK's MConnect pointed at the simulator; returns the access token. */
const sdkLogin = async (s: RunningSimulator, second: 'totp' | 'otp'): Promise<string> => {
  const { user, password, apiKey, totpSecret, otp } = s.options.credentials;
  const connect = new MConnect({ api_key: apiKey, baseUrl: s.url });
  expect(E.isRight(LoginAnswer.decode(await connect.login({ username: user, password })))).toBe(true);
  const answer: unknown =
    second === 'totp'
      ? await connect.verifyTOTP({ api_key: apiKey, totp: totpAt(totpSecret, Date.now()) ?? '' })
      : await connect.generateSession({ api_key: apiKey, request_token: otp, checksum: 'L' });
  const session = Session.decode(answer);
  if (E.isLeft(session)) throw new Error(`the SDK's login got no session: ${JSON.stringify(answer)}`);
  return session.right.data.access_token;
};

/** The SDK's ticker, logged in, with every tick its parser decoded kept per token. */
interface SdkFeed {
  readonly ticker: MTicker;
  readonly clientId: number;
  ticksOf(token: number): readonly FeedData[];
}

const openSdkFeed = async (s: RunningSimulator, accessToken: string): Promise<SdkFeed> => {
  const ticker = new MTicker({
    api_key: s.options.credentials.apiKey,
    access_token: accessToken,
    baseUrl: s.wsUrl,
  });
  tickers.push(ticker);
  const ticks = new Map<number, FeedData[]>();
  ticker.onBroadcastReceived = (tick) => {
    const token = tick.InstrumentToken ?? 0;
    const list = ticks.get(token) ?? [];
    list.push(tick);
    ticks.set(token, list);
  };
  const connected = new Promise<void>((resolve) => {
    ticker.onConnect = () => {
      ticker.sendLoginAfterConnect();
      resolve();
    };
  });
  ticker.connect();
  await connected;
  const client = (): { id: number; loggedIn: boolean } | undefined => s.stats().clients.at(-1);
  await waitFor('the SDK to log in on the feed', () => client()?.loggedIn === true);
  return { ticker, clientId: client()?.id ?? 0, ticksOf: (token) => ticks.get(token) ?? [] };
};

const clientOf = (s: RunningSimulator, id: number) => {
  const c = s.stats().clients.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no simulator client ${String(id)}`);
  return c;
};

/** Waits until the simulator has the SDK's subscriptions in these modes. */
const waitForModes = async (
  s: RunningSimulator,
  feed: SdkFeed,
  want: Readonly<Record<number, SubscriptionMode | undefined>>,
): Promise<void> => {
  await waitFor(`the simulator to hold the modes ${JSON.stringify(want)}`, () => {
    const modes = clientOf(s, feed.clientId).modes;
    return Object.entries(want).every(([token, mode]) => modes[token] === mode);
  });
};

/** Sends ticks until each token has a decoded tick after the first `from[token]` ones that `fits`. */
const emitUntilEach = async (
  s: RunningSimulator,
  feed: SdkFeed,
  tokens: readonly number[],
  fits: (tick: FeedData) => boolean = () => true,
): Promise<void> => {
  const from = new Map(tokens.map((token) => [token, feed.ticksOf(token).length]));
  const done = (): boolean => tokens.every((token) => feed.ticksOf(token).slice(from.get(token)).some(fits));
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) {
      const missing = tokens.filter((token) => !feed.ticksOf(token).slice(from.get(token)).some(fits));
      throw new Error(`no fitting tick decoded by the SDK for ${missing.join(', ')}`);
    }
    s.emitTicks(200);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Every packet the simulator sent reached the SDK's parser and came out as a tick. */
const expectEveryPacketDecoded = async (s: RunningSimulator, feed: SdkFeed, tokens: readonly number[]) => {
  await waitFor('the SDK to decode every packet sent', () =>
    tokens.every((token) => feed.ticksOf(token).length === s.stats().tokens[String(token)]?.sent),
  );
  expect(sdkConsole.filter((line) => /packet|pars/i.test(line))).toEqual([]);
};

/** The last tick the SDK decoded carries the simulator's current price (÷100 for every listed token). */
const expectLastPricesMatch = (s: RunningSimulator, feed: SdkFeed, tokens: readonly number[]): void => {
  for (const token of tokens) {
    expect(feed.ticksOf(token).at(-1)?.LastPrice, `token ${String(token)}`).toBe(
      s.stats().tokens[String(token)]?.ltp,
    );
  }
};

describe('the official m.Stock SDK against the simulator', () => {
  it('logs in (TOTP), subscribeWithMode("full") gets full ticks for every token, unsubscribe stops one', async () => {
    const s = await start();
    const tokens = allTokens(s);
    expect(tokens).toHaveLength(51);
    const accessToken = await sdkLogin(s, 'totp');
    const feed = await openSdkFeed(s, accessToken);

    feed.ticker.subscribeWithMode('full', tokens);
    await waitForModes(s, feed, Object.fromEntries(tokens.map((token) => [token, 'full'])));
    expect(clientOf(s, feed.clientId).messages).toEqual([
      `LOGIN:${accessToken}`,
      JSON.stringify({ a: 'subscribe', v: { full: tokens } }),
    ]);
    await emitUntilEach(s, feed, tokens);
    await expectEveryPacketDecoded(s, feed, tokens);
    expectLastPricesMatch(s, feed, tokens);
    for (const token of tokens) {
      for (const tick of feed.ticksOf(token)) expect(tick.Mode).toBe('full');
    }
    // Full equity packets carry five levels of depth each side, and the 200-byte extras.
    const tcs = feed.ticksOf(TCS).at(-1);
    expect(tcs?.Bids).toHaveLength(5);
    expect(tcs?.Offers).toHaveLength(5);
    expect(tcs?.UpperCircuit).toBe(s.stats().tokens[String(TCS)]?.upperCircuit);

    feed.ticker.unsubscribe([RELIANCE]);
    await waitForModes(s, feed, { [RELIANCE]: undefined, [TCS]: 'full' });
    const relianceBefore = feed.ticksOf(RELIANCE).length;
    const sentBefore = s.stats().tokens[String(RELIANCE)]?.sent;
    const others = tokens.filter((token) => token !== RELIANCE);
    await emitUntilEach(s, feed, others);
    await expectEveryPacketDecoded(s, feed, others);
    expect(s.stats().tokens[String(RELIANCE)]?.ticks).toBeGreaterThan(0);
    expect(feed.ticksOf(RELIANCE)).toHaveLength(relianceBefore);
    expect(s.stats().tokens[String(RELIANCE)]?.sent).toBe(sentBefore);
  });

  it('logs in (SMS OTP), subscribe + setMode: quote by default, then full, then ltp for one token', async () => {
    const s = await start();
    const tokens = allTokens(s);
    const feed = await openSdkFeed(s, await sdkLogin(s, 'otp'));

    // Plain subscribe: the simulator's default mode, quote (44-byte equity, 28-byte index packets).
    feed.ticker.subscribe(tokens);
    await waitForModes(s, feed, Object.fromEntries(tokens.map((token) => [token, 'quote'])));
    await emitUntilEach(s, feed, tokens);
    await expectEveryPacketDecoded(s, feed, tokens);
    expectLastPricesMatch(s, feed, tokens);
    for (const token of tokens) {
      for (const tick of feed.ticksOf(token)) {
        expect(tick.Mode).toBe('quote');
        expect(tick).not.toHaveProperty('Bids');
      }
    }

    // setMode sends {"a":"mode","v":["full",[tokens]]}: from then on, full packets.
    feed.ticker.setMode('full', tokens);
    await waitForModes(s, feed, Object.fromEntries(tokens.map((token) => [token, 'full'])));
    const fullFrom = new Map(tokens.map((token) => [token, feed.ticksOf(token).length]));
    await emitUntilEach(s, feed, tokens);
    await expectEveryPacketDecoded(s, feed, tokens);
    expectLastPricesMatch(s, feed, tokens);
    for (const token of tokens) {
      for (const tick of feed.ticksOf(token).slice(fullFrom.get(token))) expect(tick.Mode).toBe('full');
    }
    expect(feed.ticksOf(RELIANCE).at(-1)?.Bids).toHaveLength(5);

    // ltp for one token: its packets shrink to 8 bytes, which the SDK reads as a bare LTP broadcast
    // (no Volume field at all; a longer packet read in ltp mode would carry Volume: 0).
    feed.ticker.setMode('ltp', [TCS]);
    await waitForModes(s, feed, { [TCS]: 'ltp', [NIFTY]: 'full', [RELIANCE]: 'full' });
    const ltpFrom = feed.ticksOf(TCS).length;
    await emitUntilEach(s, feed, [TCS, NIFTY, RELIANCE]);
    await expectEveryPacketDecoded(s, feed, tokens);
    const tcsTicks = feed.ticksOf(TCS).slice(ltpFrom);
    expect(tcsTicks.length).toBeGreaterThan(0);
    for (const tick of tcsTicks) {
      expect(tick).toEqual({
        InstrumentToken: TCS,
        Mode: 'ltp',
        LastPrice: expect.any(Number) as number,
        Tradable: true,
      });
    }
    expect(feed.ticksOf(NIFTY).at(-1)?.Mode).toBe('full');
    expectLastPricesMatch(s, feed, [TCS, NIFTY, RELIANCE]);
  });
});
