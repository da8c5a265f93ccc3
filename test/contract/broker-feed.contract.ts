import { describe, expect, it } from 'vitest';
import type { InstrumentToken } from '../../src/domain/instrument.ts';
import type { BrokerFeed, FeedMessage, Subscription, SubscriptionMode } from '../../src/ports/broker-feed.ts';

export interface BrokerFeedHarness {
  readonly feed: BrokerFeed;
  /**
   * At least three tokens the source keeps producing ticks for, on its own, for as long as the
   * harness is open (a simulator does it by itself; a fake runs a timer).
   */
  readonly tokens: readonly InstrumentToken[];
  readonly mode: SubscriptionMode;
  close(): Promise<void>;
}

/** Reads messages until `enough` says stop (then aborts), or until `limit` messages. */
const collect = async (
  feed: BrokerFeed,
  subscription: Subscription,
  enough: (messages: readonly FeedMessage[]) => boolean,
  limit = 5000,
): Promise<FeedMessage[]> => {
  const controller = new AbortController();
  const messages: FeedMessage[] = [];
  for await (const message of feed.messages(subscription, controller.signal)) {
    messages.push(message);
    if (enough(messages) || messages.length >= limit) controller.abort();
  }
  return messages;
};

const ticksOf = (messages: readonly FeedMessage[]) =>
  messages.flatMap((m) => (m.kind === 'ticks' ? m.ticks : []));

const seenAtLeast = (
  messages: readonly FeedMessage[],
  tokens: readonly InstrumentToken[],
  n: number,
): boolean => {
  const ticks = ticksOf(messages);
  return tokens.every((token) => ticks.filter((t) => t.token === token).length >= n);
};

/**
 * What every `BrokerFeed` promises (src/ports/broker-feed.ts), run against the in-memory feed and
 * against the m.Stock adapter talking to the simulator.
 */
export const brokerFeedContract = (name: string, makeHarness: () => Promise<BrokerFeedHarness>): void => {
  describe(`BrokerFeed: ${name}`, () => {
    const withHarness = async (test: (h: BrokerFeedHarness) => Promise<void>): Promise<void> => {
      const harness = await makeHarness();
      try {
        await test(harness);
      } finally {
        await harness.close();
      }
    };

    it('starts with a connected message, then yields ticks of the subscribed tokens only', () =>
      withHarness(async ({ feed, tokens, mode }) => {
        const wanted = tokens.slice(0, 2);
        const messages = await collect(feed, { tokens: wanted, mode }, (m) => seenAtLeast(m, wanted, 3));
        expect(messages[0]?.kind).toBe('connected');
        const seen = new Set(ticksOf(messages).map((t) => t.token));
        expect([...seen].sort()).toEqual([...wanted].sort());
      }));

    it('stamps every tick as live, with a receive time and a sequence number', () =>
      withHarness(async ({ feed, tokens, mode }) => {
        const wanted = tokens.slice(0, 1);
        const messages = await collect(feed, { tokens: wanted, mode }, (m) => seenAtLeast(m, wanted, 5));
        for (const message of messages) {
          if (message.kind !== 'ticks') continue;
          expect(message.ticks.length).toBeGreaterThan(0);
          for (const tick of message.ticks) {
            expect(tick.source).toBe('live');
            expect(tick.receivedAt).toBe(message.receivedAt);
            expect(Number.isInteger(tick.seq) && tick.seq >= 0).toBe(true);
            expect(Number.isFinite(tick.ltp)).toBe(true);
          }
        }
      }));

    it('ends the iterator on abort and yields nothing after it', () =>
      withHarness(async ({ feed, tokens, mode }) => {
        const controller = new AbortController();
        const stream = feed.messages({ tokens: tokens.slice(0, 3), mode }, controller.signal);
        const iterator = stream[Symbol.asyncIterator]();
        for (;;) {
          const next = await iterator.next();
          expect(next.done).toBe(false);
          if (next.done !== true && next.value.kind === 'ticks') break;
        }
        controller.abort();
        expect(await iterator.next()).toEqual({ done: true, value: undefined });
        expect(await iterator.next()).toEqual({ done: true, value: undefined });
      }));

    it('yields nothing for a signal aborted before the start', () =>
      withHarness(async ({ feed, tokens, mode }) => {
        const messages: FeedMessage[] = [];
        for await (const m of feed.messages({ tokens: tokens.slice(0, 1), mode }, AbortSignal.abort())) {
          messages.push(m);
        }
        expect(messages).toEqual([]);
      }));

    it('keeps two streams apart: each gets its own tokens, and one ending leaves the other running', () =>
      withHarness(async ({ feed, tokens, mode }) => {
        const [a, , c] = tokens;
        const first = new AbortController();
        const firstSeen: FeedMessage[] = [];
        const firstDone = (async () => {
          for await (const m of feed.messages({ tokens: [a!], mode }, first.signal)) {
            firstSeen.push(m);
            if (seenAtLeast(firstSeen, [a!], 2)) first.abort();
          }
        })();
        const second = collect(feed, { tokens: [c!], mode }, (m) => seenAtLeast(m, [c!], 2));
        await firstDone;
        // The second stream goes on after the first has ended.
        const secondSeen = await second;
        expect(new Set(ticksOf(firstSeen).map((t) => t.token))).toEqual(new Set([a]));
        expect(new Set(ticksOf(secondSeen).map((t) => t.token))).toEqual(new Set([c]));
      }));
  });
};
