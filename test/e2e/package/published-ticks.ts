import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { readTopicWithKcat } from '../../support/kcat.ts';

const TickValue = t.type({ token: t.string, source: t.string, ltp: t.number, timestamp: t.number });
export type TickValue = t.TypeOf<typeof TickValue>;

/** The ticks on a topic, read with kcat; a value that is not a tick fails, naming it. */
export const readTicks = async (broker: string, topic: string): Promise<TickValue[]> =>
  (await readTopicWithKcat(broker, topic)).map((m) => {
    const decoded = TickValue.decode(JSON.parse(m.value));
    if (E.isLeft(decoded)) throw new Error(`not a tick on ${topic}: ${m.value.slice(0, 300)}`);
    return decoded.right;
  });

/** Reads the topic again until `enough` holds or `timeoutMs` passes; returns the last read either way. */
export const pollTicks = async (
  broker: string,
  topic: string,
  enough: (ticks: readonly TickValue[]) => boolean,
  timeoutMs: number,
): Promise<TickValue[]> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ticks = await readTicks(broker, topic).catch(() => []);
    if (enough(ticks) || Date.now() > deadline) return ticks;
    await new Promise((r) => setTimeout(r, 1000));
  }
};
