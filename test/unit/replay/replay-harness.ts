import { createHash } from 'node:crypto';
import { either as E } from 'fp-ts';
import { ReplayBrokerFeed, type ReplayOptions } from '../../../src/adapters/replay/replay-broker-feed.ts';
import { openReplaySource, type ReplaySource } from '../../../src/adapters/replay/replay-source.ts';
import type { InstrumentToken } from '../../../src/domain/instrument.ts';
import { encodeTick } from '../../../src/ports/tick-sink/tick-wire.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import { epochMs } from '../../../src/domain/units.ts';
import type { FeedMessage } from '../../../src/ports/broker-feed.ts';

export const FIXTURE = new URL('../../fixtures/sessions/simulator-seed1-2025-11-20.tfrec', import.meta.url)
  .pathname;
export const FIXTURE_EXPECTED = new URL(
  '../../fixtures/sessions/simulator-seed1-2025-11-20.expected.json',
  import.meta.url,
).pathname;

export const open = async (path: string): Promise<ReplaySource> => {
  const r = await openReplaySource(path);
  if (E.isLeft(r)) throw new Error(r.left.reason);
  return r.right;
};

/** A clock that never moves, for replays at full speed (pacing is the only use of the wall clock). */
export const stillClock = { now: () => epochMs(0) };

/** Every message a replay of `paths` yields, and the feed (for its report). */
export const replay = async (
  paths: readonly string[],
  options: Partial<Omit<ReplayOptions, 'sources'>> = {},
  tokens: readonly InstrumentToken[] = [],
): Promise<{ readonly messages: FeedMessage[]; readonly feed: ReplayBrokerFeed }> => {
  const sources = await Promise.all(paths.map(open));
  const feed = new ReplayBrokerFeed({ clock: stillClock, ...options, sources });
  const messages: FeedMessage[] = [];
  for await (const m of feed.messages({ tokens, mode: 'full' }, new AbortController().signal))
    messages.push(m);
  return { messages, feed };
};

export const ticksOf = (messages: readonly FeedMessage[]): Tick[] =>
  messages.flatMap((m) => (m.kind === 'ticks' ? m.ticks : []));

/** The ticks in their wire form, one per line: what a sink writes. */
export const wire = (ticks: readonly Tick[]): string => ticks.map((t) => `${encodeTick(t)}\n`).join('');

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
