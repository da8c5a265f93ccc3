import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { decodeTick } from '../../src/ports/tick-sink/tick-wire.ts';
import type { GapRecord, PublishedTick } from './fault-campaign-oracle.ts';
import { readTopicWithKcat } from './kcat.ts';

const tickIdOf = (headers: string): string =>
  headers
    .split(',')
    .find((h) => h.startsWith('tick-id='))
    ?.slice('tick-id='.length) ?? '';

/** The tick topic, every partition in offset order, each message decoded as a consumer would. */
export const readPublishedTicks = async (broker: string, topic: string): Promise<PublishedTick[]> =>
  (await readTopicWithKcat(broker, topic)).map((m) => {
    const decoded = decodeTick(m.value);
    if (E.isLeft(decoded))
      throw new Error(`${topic} holds a message that is not a tick: ${decoded.left.message}`);
    const tick = decoded.right;
    return {
      key: m.key,
      tickId: tickIdOf(m.headers),
      token: tick.token,
      volume: tick.volume,
      exchangeTime: tick.exchangeTime ?? 0,
      receivedAt: tick.receivedAt,
    };
  });

const GapRecordC = t.intersection([
  t.type({
    event: t.string,
    gapId: t.string,
    token: t.string,
    cause: t.string,
    from: t.number,
    to: t.number,
  }),
  t.partial({ how: t.string, expected: t.number, received: t.number }),
]);

/** The gap topic's records; one that does not decode fails the read, naming it. */
export const readGapRecords = async (broker: string, topic: string): Promise<GapRecord[]> =>
  (await readTopicWithKcat(broker, topic)).map((m) => {
    const decoded = GapRecordC.decode(JSON.parse(m.value));
    if (E.isLeft(decoded)) throw new Error(`${topic} holds a record that is not a gap: ${m.value}`);
    return decoded.right;
  });
