import { randomUUID } from 'node:crypto';
import * as t from 'io-ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EventLogClosed,
  EventNotStorable,
  InvalidStreamName,
} from '../../src/ports/event-log/event-log-errors.ts';
import { ConcurrencyConflict, type EventLog } from '../../src/ports/event-log/event-log.ts';

export const TestEvent = t.union([
  t.type({ type: t.literal('Added'), data: t.type({ n: t.number }) }),
  t.type({ type: t.literal('Named'), data: t.type({ name: t.string }) }),
]);
export type TestEvent = t.TypeOf<typeof TestEvent>;

export const added = (n: number): TestEvent => ({ type: 'Added', data: { n } });
export const named = (name: string): TestEvent => ({ type: 'Named', data: { name } });

export interface EventLogHarness {
  /** A new log instance on the harness's storage: calling it twice models a restart. */
  open(): EventLog<TestEvent>;
  cleanup(): Promise<void>;
}

/** What every EventLog must do; run against each adapter. Stream names are fresh per test. */
export const eventLogContract = (name: string, makeHarness: () => Promise<EventLogHarness>): void => {
  describe(`EventLog: ${name}`, () => {
    let h: EventLogHarness;
    let log: EventLog<TestEvent>;
    let stream: string;
    beforeEach(async () => {
      h = await makeHarness();
      log = h.open();
      stream = `plan-${randomUUID()}`;
    });
    afterEach(async () => {
      await log.close();
      await h.cleanup();
    });

    it('reads back what was appended, in order, with versions from 1', async () => {
      expect(await log.append(stream, [added(1), named('x'), added(3)], 'no-stream')).toEqual({ version: 3 });
      expect(await log.read(stream)).toEqual([
        { stream, version: 1, event: added(1) },
        { stream, version: 2, event: named('x') },
        { stream, version: 3, event: added(3) },
      ]);
    });

    it('continues the versions across appends and returns the new version', async () => {
      await log.append(stream, [added(1)], 'no-stream');
      expect(await log.append(stream, [added(2), added(3)], 1)).toEqual({ version: 3 });
      expect(await log.append(stream, [added(4)], 3)).toEqual({ version: 4 });
      expect((await log.read(stream)).map((e) => [e.version, e.event])).toEqual([
        [1, added(1)],
        [2, added(2)],
        [3, added(3)],
        [4, added(4)],
      ]);
    });

    it('reads from a version on, that version included', async () => {
      await log.append(stream, [added(1), added(2), added(3), added(4)], 'no-stream');
      expect((await log.read(stream, 3)).map((e) => e.version)).toEqual([3, 4]);
      expect(await log.read(stream, 5)).toEqual([]);
      await expect(log.read(stream, 0)).rejects.toBeInstanceOf(RangeError);
    });

    it('reads a stream never written as empty', async () => {
      expect(await log.read(stream)).toEqual([]);
    });

    it('keeps streams apart', async () => {
      const other = `${stream}-other`;
      await log.append(stream, [added(1)], 'no-stream');
      await log.append(other, [named('b')], 'no-stream');
      expect((await log.read(stream)).map((e) => e.event)).toEqual([added(1)]);
      expect(await log.read(other)).toEqual([{ stream: other, version: 1, event: named('b') }]);
    });

    it('refuses an append whose expected version is not the current one, and writes nothing', async () => {
      await log.append(stream, [added(1), added(2)], 'no-stream');
      const behind = log.append(stream, [added(99)], 1);
      await expect(behind).rejects.toBeInstanceOf(ConcurrencyConflict);
      await expect(behind).rejects.toMatchObject({ stream, expected: 1, actual: 2 });
      await expect(log.append(stream, [added(99)], 3)).rejects.toMatchObject({ expected: 3, actual: 2 });
      expect((await log.read(stream)).map((e) => e.event)).toEqual([added(1), added(2)]);
    });

    it("treats 'no-stream' as version 0: it starts a stream and fails on an existing one", async () => {
      await log.append(stream, [added(1)], 'no-stream');
      await expect(log.append(stream, [added(2)], 'no-stream')).rejects.toMatchObject({
        name: 'ConcurrencyConflict',
        expected: 'no-stream',
        actual: 1,
      });
      const fresh = `${stream}-0`;
      expect(await log.append(fresh, [added(1)], 0)).toEqual({ version: 1 });
    });

    it("appends with 'any' whatever the version", async () => {
      expect(await log.append(stream, [added(1)], 'any')).toEqual({ version: 1 });
      expect(await log.append(stream, [added(2)], 'any')).toEqual({ version: 2 });
    });

    it('lets exactly one of two appends expecting the same version win', async () => {
      await log.append(stream, [added(0)], 'no-stream');
      const results = await Promise.allSettled([
        log.append(stream, [added(1)], 1),
        log.append(stream, [added(2)], 1),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(ConcurrencyConflict);
      expect((await log.read(stream)).map((e) => e.version)).toEqual([1, 2]);
    });

    it("gives concurrent 'any' appends distinct consecutive versions", async () => {
      const versions = await Promise.all(
        Array.from({ length: 20 }, (_, i) => log.append(stream, [added(i)], 'any')),
      );
      expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      const read = await log.read(stream);
      expect(read.map((e) => e.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(new Set(read.map((e) => (e.event.type === 'Added' ? e.event.data.n : -1))).size).toBe(20);
    });

    it('checks the version of an empty append and writes nothing', async () => {
      expect(await log.append(stream, [], 'no-stream')).toEqual({ version: 0 });
      await log.append(stream, [added(1)], 'no-stream');
      expect(await log.append(stream, [], 1)).toEqual({ version: 1 });
      await expect(log.append(stream, [], 0)).rejects.toBeInstanceOf(ConcurrencyConflict);
      expect(await log.read(stream)).toHaveLength(1);
    });

    it('reads after a reopen what was appended before, and continues its versions', async () => {
      await log.append(stream, [added(1), named('two')], 'no-stream');
      await log.close();
      log = h.open();
      expect(await log.read(stream)).toEqual([
        { stream, version: 1, event: added(1) },
        { stream, version: 2, event: named('two') },
      ]);
      await expect(log.append(stream, [added(3)], 'no-stream')).rejects.toBeInstanceOf(ConcurrencyConflict);
      expect(await log.append(stream, [added(3)], 2)).toEqual({ version: 3 });
    });

    it('refuses stream names that could leave its folder or hide a file', async () => {
      for (const bad of ['', '../escape', 'a/b', 'a\\b', '.hidden', 'x..y', 'sp ace', 'new\nline']) {
        await expect(log.append(bad, [added(1)], 'any'), bad).rejects.toBeInstanceOf(InvalidStreamName);
        await expect(log.read(bad), bad).rejects.toBeInstanceOf(InvalidStreamName);
      }
    });

    it('refuses an event that would not read back, and writes nothing of its append', async () => {
      // NaN is written as null by JSON, which the codec then refuses.
      await expect(log.append(stream, [added(1), added(Number.NaN)], 'any')).rejects.toBeInstanceOf(
        EventNotStorable,
      );
      expect(await log.read(stream)).toEqual([]);
    });

    it('refuses work once closed', async () => {
      await log.close();
      await expect(log.append(stream, [added(1)], 'any')).rejects.toBeInstanceOf(EventLogClosed);
      await expect(log.read(stream)).rejects.toBeInstanceOf(EventLogClosed);
    });
  });
};
