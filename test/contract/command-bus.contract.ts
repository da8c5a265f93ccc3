import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentToken } from '../../src/domain/instrument.ts';
import type { SystemCommand } from '../../src/domain/system-command.ts';
import type { CommandBus, Inbound } from '../../src/ports/command-bus/command-bus.ts';
import { CommandBusClosed, InvalidCommand } from '../../src/ports/command-bus/command-bus-errors.ts';

export interface CommandBusHarness {
  readonly bus: CommandBus;
  /** Puts raw text on the bus's channel, as `redis-cli PUBLISH` would. */
  publishRaw(text: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** Messages a subscriber received, and a way to wait for the next one. */
export class Inbox {
  readonly messages: Inbound[] = [];
  private waiters: (() => void)[] = [];

  readonly push = (m: Inbound): void => {
    this.messages.push(m);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  };

  /** Resolves with the first `count` messages; the timeout only keeps a broken bus from hanging the run. */
  async take(count: number, timeoutMs = 15_000): Promise<Inbound[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline)
        throw new Error(`got ${this.messages.length} of ${count} messages: ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages.slice(0, count);
  }
}

const full: SystemCommand = {
  type: 'StartBackfill',
  id: 'ops-2026-01-05',
  days: 5,
  tokens: [instrumentToken('26000'), instrumentToken('2885')],
  interval: 'minute',
};

/** What every CommandBus must do; run against each adapter with a fresh channel per test. */
export const commandBusContract = (name: string, makeHarness: () => Promise<CommandBusHarness>): void => {
  describe(`CommandBus: ${name}`, () => {
    let h: CommandBusHarness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('delivers a published command to a subscriber, every field intact', async () => {
      const inbox = new Inbox();
      await h.bus.subscribe(inbox.push);
      await h.bus.publish(full);
      expect(await inbox.take(1)).toEqual([{ kind: 'command', command: full }]);
    });

    it('decodes the plain text START_BACKFILL, trimmed, into a bare StartBackfill', async () => {
      const inbox = new Inbox();
      await h.bus.subscribe(inbox.push);
      await h.publishRaw('  START_BACKFILL\n');
      expect(await inbox.take(1)).toEqual([{ kind: 'command', command: { type: 'StartBackfill' } }]);
    });

    it('decodes the JSON form with numeric tokens into string tokens', async () => {
      const inbox = new Inbox();
      await h.bus.subscribe(inbox.push);
      await h.publishRaw('{"command":"START_BACKFILL","days":2,"tokens":[26000,2885],"interval":"5minute"}');
      expect(await inbox.take(1)).toEqual([
        {
          kind: 'command',
          command: { type: 'StartBackfill', days: 2, tokens: ['26000', '2885'], interval: '5minute' },
        },
      ]);
    });

    it('hands malformed text over as rejected, with its text and a reason, and keeps delivering', async () => {
      const inbox = new Inbox();
      await h.bus.subscribe(inbox.push);
      await h.publishRaw('start_backfill');
      await h.publishRaw('{"command":"START_BACKFILL","days":0}');
      await h.publishRaw('START_BACKFILL');
      const [a, b, c] = await inbox.take(3);
      expect(a).toMatchObject({ kind: 'rejected', raw: 'start_backfill' });
      expect(a?.kind === 'rejected' && a.reason).toContain('case-sensitive');
      expect(b).toMatchObject({ kind: 'rejected', raw: '{"command":"START_BACKFILL","days":0}' });
      expect(b?.kind === 'rejected' && b.reason).toContain('days');
      expect(c).toEqual({ kind: 'command', command: { type: 'StartBackfill' } });
    });

    it('keeps publish order for a subscriber', async () => {
      const inbox = new Inbox();
      await h.bus.subscribe(inbox.push);
      for (const days of [1, 2, 3, 4, 5]) await h.bus.publish({ type: 'StartBackfill', days });
      const got = await inbox.take(5);
      expect(
        got.map((m) => (m.kind === 'command' && m.command.type === 'StartBackfill' ? m.command.days : -1)),
      ).toEqual([1, 2, 3, 4, 5]);
    });

    it('stops delivering to a closed subscription while others still receive', async () => {
      const closing = new Inbox();
      const staying = new Inbox();
      const subscription = await h.bus.subscribe(closing.push);
      await h.bus.subscribe(staying.push);
      await h.bus.publish({ type: 'StartBackfill', days: 1 });
      await closing.take(1);
      await subscription.close();
      await h.bus.publish({ type: 'StartBackfill', days: 2 });
      // Both messages reached the open subscription, so the second has been dispatched by now.
      await staying.take(2);
      expect(closing.messages).toHaveLength(1);
    });

    it('refuses to publish a command its receiver would reject', async () => {
      await expect(h.bus.publish({ type: 'StartBackfill', days: 0 })).rejects.toBeInstanceOf(InvalidCommand);
      await expect(
        h.bus.publish({ type: 'StartBackfill', tokens: [instrumentToken('0')] }),
      ).rejects.toBeInstanceOf(InvalidCommand);
    });

    it('refuses to publish or subscribe once closed', async () => {
      await h.bus.close();
      await expect(h.bus.publish(full)).rejects.toBeInstanceOf(CommandBusClosed);
      await expect(h.bus.subscribe(() => undefined)).rejects.toBeInstanceOf(CommandBusClosed);
    });
  });
};
