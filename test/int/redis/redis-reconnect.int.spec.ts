import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort, portOpen, waitUntil } from '../../../src/dev/infra/free-port.ts';
import { startLocalRedis, type LocalRedis } from '../../../src/dev/infra/local-redis.ts';
import { Inbox } from '../../contract/command-bus.contract.ts';
import { startBlackholeProxy, type BlackholeProxy } from './blackhole-proxy.ts';
import { makeBus, rawClient, type BusFixture } from './redis-bus-fixture.ts';

/** Publishes `text` until the inbox holds `count` messages: pub/sub drops what is sent while away. */
const publishUntilHeard = async (url: string, channel: string, text: string, inbox: Inbox, count: number) => {
  const raw = rawClient(url);
  try {
    await waitUntil(
      `a message on ${channel}`,
      async () => {
        if (inbox.messages.length >= count) return true;
        await raw.publish(channel, text).catch(() => 0);
        return inbox.messages.length >= count;
      },
      30_000,
    );
  } finally {
    raw.disconnect();
  }
};

describe('RedisCommandBus across connection failures', () => {
  let dir: string | undefined;
  let redis: LocalRedis | undefined;
  let proxy: BlackholeProxy | undefined;
  let fixture: BusFixture | undefined;
  afterEach(async () => {
    await fixture?.bus.close();
    await proxy?.close();
    await redis?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    [dir, redis, proxy, fixture] = [undefined, undefined, undefined, undefined];
  });

  it('subscribes again by itself after the Redis server is killed and restarted', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tickflow-redis-restart-'));
    const port = await freePort();
    redis = await startLocalRedis({ dir, port });
    fixture = makeBus(redis.url);
    const { bus, settings, metrics, logger } = fixture;
    const inbox = new Inbox();
    await bus.subscribe(inbox.push);
    await bus.publish({ type: 'StartBackfill', days: 1 });
    await inbox.take(1);
    expect(metrics.value('redis_connected')).toBe(1);
    expect(bus.connection()).toEqual({ connected: true });

    const pid = redis.pid();
    if (pid === undefined) throw new Error('no redis pid');
    process.kill(pid, 'SIGKILL');
    await waitUntil('redis to be gone', async () => !(await portOpen('127.0.0.1', port)), 10_000);
    await waitUntil(
      'the bus to see it',
      () => Promise.resolve(metrics.value('redis_connected') === 0),
      10_000,
    );
    const down = bus.connection();
    expect(down.connected ? '' : down.reason).toMatch(
      new RegExp(`^not connected to Redis at 127\\.0\\.0\\.1:${port}/0`),
    );
    await redis.start();

    // Only a resubscribed connection can hear this: the old one died with the server.
    await publishUntilHeard(redis.url, settings.channel, 'START_BACKFILL', inbox, 2);
    expect(inbox.messages[1]).toEqual({ kind: 'command', command: { type: 'StartBackfill' } });
    expect(metrics.value('redis_subscriber_reconnects_total')).toBe(1);
    expect(metrics.value('redis_connected')).toBe(1);
    expect(logger.lines()).toContain('[WARN] Redis connection lost; reconnecting');
    // The publishing connection comes back too.
    await waitUntil(
      'the bus to publish again',
      () =>
        bus.publish({ type: 'StartBackfill', days: 3 }).then(
          () => true,
          () => false,
        ),
      30_000,
    );
    const all = await inbox.take(3);
    expect(all[2]).toEqual({ kind: 'command', command: { type: 'StartBackfill', days: 3 } });
  });

  it('notices a subscriber connection that went silent without closing, and replaces it', async () => {
    const target = new URL(inject('redisUrl'));
    proxy = await startBlackholeProxy({ host: target.hostname, port: Number(target.port) });
    fixture = makeBus(proxy.url, { heartbeatMs: 500 });
    const { bus, settings, metrics, logger } = fixture;
    const inbox = new Inbox();
    await bus.subscribe(inbox.push);
    await publishUntilHeard(inject('redisUrl'), settings.channel, 'START_BACKFILL', inbox, 1);

    proxy.silenceOpenConnections();
    // The silenced connection hears nothing: a message now arrives only over a new connection,
    // and ioredis opens one only if the heartbeat finds the old one dead.
    await publishUntilHeard(
      inject('redisUrl'),
      settings.channel,
      '{"command":"START_BACKFILL","days":2}',
      inbox,
      2,
    );
    expect(inbox.messages[1]).toEqual({ kind: 'command', command: { type: 'StartBackfill', days: 2 } });
    expect(metrics.value('redis_heartbeat_missed_total')).toBeGreaterThanOrEqual(1);
    expect(logger.lines()).toContain('[WARN] Redis command subscriber did not answer PING; reconnecting');
  });

  it('closes promptly even when its connections went silent', async () => {
    const target = new URL(inject('redisUrl'));
    proxy = await startBlackholeProxy({ host: target.hostname, port: Number(target.port) });
    const f = makeBus(proxy.url, { heartbeatMs: 600_000 });
    await f.bus.subscribe(() => undefined);
    await f.bus.publish({ type: 'StartBackfill' });
    proxy.silenceOpenConnections();
    // A QUIT that is never answered must not hold close() (and the service's shutdown) forever.
    const outcome = await Promise.race([
      f.bus.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 30_000)),
    ]);
    expect(outcome).toBe('closed');
  });

  it('fails a publish that gets no answer, then publishes over a new connection', async () => {
    const target = new URL(inject('redisUrl'));
    proxy = await startBlackholeProxy({ host: target.hostname, port: Number(target.port) });
    fixture = makeBus(proxy.url, { timeoutMs: 1500 });
    const { bus, settings } = fixture;
    const listener = rawClient(inject('redisUrl'));
    const heard: string[] = [];
    listener.on('message', (_channel: string, text: string) => heard.push(text));
    await listener.subscribe(settings.channel);
    try {
      await bus.publish({ type: 'StartBackfill', days: 1 });
      proxy.silenceOpenConnections();
      await expect(bus.publish({ type: 'StartBackfill', days: 2 })).rejects.toThrow(/timed out/i);
      await waitUntil(
        'a publish over a new connection',
        () =>
          bus.publish({ type: 'StartBackfill', days: 3 }).then(
            () => true,
            () => false,
          ),
        30_000,
      );
      await waitUntil('the listener to hear it', () => Promise.resolve(heard.length >= 2), 10_000);
      // The publish that failed never went out late.
      expect(heard).toEqual([
        '{"command":"START_BACKFILL","days":1}',
        '{"command":"START_BACKFILL","days":3}',
      ]);
    } finally {
      listener.disconnect();
    }
  });
});
