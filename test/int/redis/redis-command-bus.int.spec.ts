import { afterEach, describe, expect, inject, it } from 'vitest';
import { RedisUnavailable } from '../../../src/adapters/redis/redis-connection.ts';
import { commandBusContract, Inbox } from '../../contract/command-bus.contract.ts';
import { makeBus, rawClient, type BusFixture } from './redis-bus-fixture.ts';

commandBusContract('redis', () => {
  const url = inject('redisUrl');
  const { bus, settings } = makeBus(url);
  const raw = rawClient(url);
  return Promise.resolve({
    bus,
    publishRaw: async (text) => {
      await raw.publish(settings.channel, text);
    },
    cleanup: async () => {
      await bus.close();
      raw.disconnect();
    },
  });
});

describe('RedisCommandBus', () => {
  const url = inject('redisUrl');
  const opened: BusFixture[] = [];
  const open = (...args: Parameters<typeof makeBus> extends [string, ...infer R] ? R : never): BusFixture => {
    const f = makeBus(url, ...args);
    opened.push(f);
    return f;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((f) => f.bus.close()));
  });

  it('delivers a command published by one service to a subscriber in another', async () => {
    const receiver = open();
    const sender = open({ channel: receiver.settings.channel });
    const inbox = new Inbox();
    await receiver.bus.subscribe(inbox.push);
    await sender.bus.publish({ type: 'StartBackfill', id: 'from-cli', days: 5 });
    expect(await inbox.take(1)).toEqual([
      { kind: 'command', command: { type: 'StartBackfill', id: 'from-cli', days: 5 } },
    ]);
  });

  it('hears only its own channel', async () => {
    const a = open();
    const b = open();
    const inbox = new Inbox();
    await a.bus.subscribe(inbox.push);
    await b.bus.publish({ type: 'StartBackfill', days: 9 });
    await a.bus.publish({ type: 'StartBackfill', days: 1 });
    expect(await inbox.take(1)).toEqual([{ kind: 'command', command: { type: 'StartBackfill', days: 1 } }]);
    await a.bus.publish({ type: 'StartBackfill', days: 2 });
    await inbox.take(2);
    expect(inbox.messages.map((m) => (m.kind === 'command' ? m.command.days : 0))).toEqual([1, 2]);
  });

  it('counts what it receives and logs each rejected message with its reason', async () => {
    const f = open();
    const inbox = new Inbox();
    await f.bus.subscribe(inbox.push);
    const raw = rawClient(url);
    await raw.publish(f.settings.channel, 'START_BACKFILL');
    await raw.publish(f.settings.channel, 'DROP TABLES');
    raw.disconnect();
    await inbox.take(2);
    expect(f.metrics.value('commands_received_total', { result: 'command' })).toBe(1);
    expect(f.metrics.value('commands_received_total', { result: 'rejected' })).toBe(1);
    const logged = f.logger.records.filter((r) => r.message === 'Rejected a message on the command channel');
    expect(logged.map((r) => [r.level, r.fields['raw']])).toEqual([['warn', 'DROP TABLES']]);
    expect(logged[0]?.fields['reason']).toContain('unknown command');
  });

  it('keeps delivering to other subscribers when one throws', async () => {
    const f = open();
    const inbox = new Inbox();
    await f.bus.subscribe(() => {
      throw new Error('consumer bug');
    });
    await f.bus.subscribe(inbox.push);
    await f.bus.publish({ type: 'StartBackfill' });
    await f.bus.publish({ type: 'StartBackfill', days: 2 });
    expect(await inbox.take(2)).toHaveLength(2);
    expect(f.logger.lines().filter((l) => l === '[ERROR] Command handler threw')).toHaveLength(2);
  });

  it('fails to subscribe or publish within its timeout when Redis is not there', async () => {
    const f = open({ url: 'redis://127.0.0.1:1', timeoutMs: 1500 });
    const subscribing = f.bus.subscribe(() => undefined);
    await expect(subscribing).rejects.toBeInstanceOf(RedisUnavailable);
    await expect(subscribing).rejects.toThrow(/ECONNREFUSED/);
    await expect(f.bus.publish({ type: 'StartBackfill' })).rejects.toBeInstanceOf(RedisUnavailable);
  });
});
