import { afterEach, describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MemoryEventLog, MemoryEventStorage } from '../../../src/adapters/memory/memory-event-log.ts';
import { RedisUnavailable } from '../../../src/adapters/redis/redis-connection.ts';
import { BackfillCoordinator } from '../../../src/app/backfill/backfill-coordinator.ts';
import { BackfillLogEventC } from '../../../src/ports/event-log/streams/plan-event-codec.ts';
import { PlanStore } from '../../../src/app/backfill/plan-store.ts';
import { waitUntil } from '../../../src/dev/infra/free-port.ts';
import { makeMarketSession } from '../../../src/domain/market-session.ts';
import { epochMs } from '../../../src/domain/units.ts';
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
    expect(
      inbox.messages.map((m) =>
        m.kind === 'command' && m.command.type === 'StartBackfill' ? m.command.days : 0,
      ),
    ).toEqual([1, 2]);
  });

  it('a rejected message reaching the backfill coordinator is logged once and counted once', async () => {
    const f = open();
    const coordinator = new BackfillCoordinator(
      {
        bus: f.bus,
        store: new PlanStore(new MemoryEventLog(BackfillLogEventC, new MemoryEventStorage())),
        runJob: () => Promise.reject(new Error('no job in this test')),
        session: makeMarketSession(),
        clock: new ManualClock(epochMs(Date.parse('2026-11-21T10:00:00+05:30'))),
        logger: f.logger,
        metrics: f.metrics,
      },
      { onStart: 'never', defaultDays: 1, defaultTokens: [], defaultInterval: 'minute' },
    );
    const inbox = new Inbox();
    await f.bus.subscribe(inbox.push);
    await coordinator.start();
    await waitUntil('the coordinator to listen', () => Promise.resolve(f.bus.connection().connected), 10_000);
    const raw = rawClient(url);
    await raw.publish(f.settings.channel, 'DROP TABLES');
    raw.disconnect();
    expect(await inbox.take(1)).toMatchObject([{ kind: 'rejected', raw: 'DROP TABLES' }]);
    await coordinator.stop();

    const mentions = f.logger.records.filter((r) => JSON.stringify(r).includes('DROP TABLES'));
    expect(mentions.map((r) => [r.level, r.message, r.fields['raw']])).toEqual([
      ['warn', 'Ignored a malformed command', 'DROP TABLES'],
    ]);
    expect(mentions[0]?.fields['reason']).toContain('unknown command');
    expect(f.metrics.value('system_commands_total', { outcome: 'rejected' })).toBe(1);
    expect(f.metrics.value('commands_received_total', { result: 'rejected' })).toBeUndefined();
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
