import type { BrokerFeed, FeedMessage, Subscription } from '../../../src/ports/broker-feed.ts';

/** Reads a feed one message at a time; `next(kind)` skips to the next message of that kind. */
export const feedReader = (feed: BrokerFeed, subscription: Subscription) => {
  const controller = new AbortController();
  const iterator = feed.messages(subscription, controller.signal)[Symbol.asyncIterator]();
  const seen: FeedMessage[] = [];
  const next = async <K extends FeedMessage['kind']>(kind: K): Promise<Extract<FeedMessage, { kind: K }>> => {
    for (;;) {
      const result = await iterator.next();
      if (result.done === true) throw new Error(`the feed ended while waiting for ${kind}`);
      seen.push(result.value);
      if (result.value.kind === kind) return result.value as Extract<FeedMessage, { kind: K }>;
    }
  };
  return { next, seen, iterator, abort: () => controller.abort() };
};
