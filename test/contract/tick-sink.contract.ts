import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentToken } from '../../src/domain/instrument.ts';
import { tickId, type Tick } from '../../src/domain/tick.ts';
import { epochMs, rupees } from '../../src/domain/units.ts';
import type { TickSink } from '../../src/ports/tick-sink/tick-sink.ts';

/** An adapter under test, and a way to read back what reached its destination. */
export interface TickSinkHarness {
  readonly sink: TickSink;
  /** Every tick at the destination now; each token's ticks in the destination's order. */
  readonly readBack: () => Promise<readonly Tick[]>;
  readonly dispose: () => Promise<void>;
}

const TOKENS = ['26000', '2885', '1594', '11536'] as const;
const T0 = 1_750_000_000_000;

/** Tick `seq` of `token`: ids and order are both readable from `seq`. */
export const contractTick = (token: string, seq: number): Tick => ({
  token: instrumentToken(token),
  ltp: rupees(1000 + seq / 100),
  volume: seq,
  exchangeTime: epochMs(T0 + seq),
  receivedAt: epochMs(T0 + seq + 3),
  source: 'live',
  seq,
});

/** `count` ticks spread over the tokens round-robin, each token's seqs rising from `from`. */
const stream = (count: number, from = 0): Tick[] =>
  Array.from({ length: count }, (_, i) => contractTick(TOKENS[i % TOKENS.length] ?? '26000', from + i));

const seqsByToken = (ticks: readonly Tick[]): Record<string, number[]> => {
  const out: Record<string, number[]> = {};
  for (const t of ticks) (out[t.token] ??= []).push(t.seq);
  return out;
};

const ids = (ticks: readonly Tick[]): string[] => ticks.map(tickId).sort();

/**
 * The behaviour every TickSink promises (src/ports/tick-sink.ts), run against each adapter. `ns`
 * is fresh per test, for topic and folder names.
 */
export const tickSinkContract = (
  name: string,
  makeHarness: (ns: string) => Promise<TickSinkHarness>,
): void => {
  describe(`TickSink contract: ${name}`, () => {
    let current: TickSinkHarness | undefined;
    const make = async (): Promise<TickSinkHarness> => {
      current = await makeHarness(randomUUID().slice(0, 8));
      return current;
    };
    afterEach(async () => {
      await current?.dispose();
      current = undefined;
    });

    it('resolves publish only once the batch is at the destination', async () => {
      const { sink, readBack } = await make();
      const batch = stream(12);
      await sink.publish(batch);
      expect(ids(await readBack())).toEqual(ids(batch));
    });

    it("keeps each token's ticks in publish order, across concurrent publishes", async () => {
      const { sink, readBack } = await make();
      const ticks = stream(400);
      const batches = Array.from({ length: 40 }, (_, i) => ticks.slice(i * 10, i * 10 + 10));
      await Promise.all(batches.map((b) => sink.publish(b)));
      await sink.flush();
      expect(seqsByToken(await readBack())).toEqual(seqsByToken(ticks));
    });

    it('delivers a batch larger than one send, whole and in order', async () => {
      const { sink, readBack } = await make();
      const ticks = stream(1300);
      await sink.publish(ticks);
      expect(seqsByToken(await readBack())).toEqual(seqsByToken(ticks));
    });

    it('flush resolves once everything published before it is at the destination', async () => {
      const { sink, readBack } = await make();
      const ticks = stream(60);
      const publishes = [sink.publish(ticks.slice(0, 30)), sink.publish(ticks.slice(30))];
      await sink.flush();
      expect(ids(await readBack())).toEqual(ids(ticks));
      await Promise.all(publishes);
    });

    it('close flushes what was published, then refuses more', async () => {
      const { sink, readBack } = await make();
      const ticks = stream(50);
      const publishes = [sink.publish(ticks.slice(0, 25)), sink.publish(ticks.slice(25))];
      await sink.close();
      await Promise.all(publishes);
      expect(ids(await readBack())).toEqual(ids(ticks));
      await expect(sink.publish(stream(1, 1000))).rejects.toThrow(/closed/);
    });

    it('accepts an empty batch and writes nothing', async () => {
      const { sink, readBack } = await make();
      await sink.publish([]);
      await sink.flush();
      expect(await readBack()).toEqual([]);
    });
  });
};
