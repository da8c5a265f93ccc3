import { either as E } from 'fp-ts';
import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import type {
  CommandBus,
  CommandBusConnection,
  CommandSubscription,
  Inbound,
} from '../../ports/command-bus/command-bus.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Gauge, Metrics } from '../../ports/metrics.ts';
import type { SystemCommand } from '../../domain/system-command.ts';
import { CommandBusClosed } from '../../ports/command-bus/command-bus-errors.ts';
import { decodeCommand, encodeCheckedCommand } from '../../ports/command-bus/command-wire.ts';
import { closeClient, whenReady } from './redis-connection.ts';
import { redisEndpoint, RedisSettingsError, type RedisCommandBusSettings } from './redis-settings.ts';
import { startHeartbeat } from './subscriber-heartbeat.ts';

type Handler = (message: Inbound) => void;

/**
 * Operator commands over Redis pub/sub. Two connections: under RESP2 a subscribed connection may
 * only issue subscriber commands, and the two want opposite failure rules (the subscriber waits
 * through reconnects; a publish fails within its timeout rather than leave late). The subscriber relies on ioredis'
 * `autoResubscribe` to subscribe again after a reconnect (test/int/redis proves it across a
 * redis-server restart), and on a heartbeat to notice a connection that died without closing.
 * Pub/sub keeps nothing: a command published while the subscriber is away is lost, which suits an
 * operator's "start a backfill" (send it again) and nothing that must not be lost.
 */
export class RedisCommandBus implements CommandBus {
  private readonly settings: RedisCommandBusSettings;
  private readonly logger: Logger;
  private readonly address: string;
  private readonly subscriber: Redis;
  private readonly publisher: Redis;
  private readonly handlers = new Set<Handler>();
  private readonly connected: Gauge;
  private readonly reconnects: Counter;
  private readonly heartbeatsMissed: Counter;
  private subscribed: Promise<void> | undefined;
  private heartbeat: { stop(): void } | undefined;
  private lastError: string | undefined;
  private closed = false;

  constructor(
    settings: RedisCommandBusSettings,
    deps: { readonly logger: Logger; readonly metrics: Metrics },
  ) {
    this.settings = settings;
    this.logger = deps.logger.child({ component: 'redis-command-bus' });
    let ca: Buffer | undefined;
    if (settings.tlsCaFile !== undefined) {
      try {
        ca = readFileSync(settings.tlsCaFile);
      } catch (e) {
        throw new RedisSettingsError(
          'REDIS_TLS_CA_FILE',
          `cannot read ${settings.tlsCaFile} (${(e as Error).message})`,
        );
      }
    }
    const endpoint = redisEndpoint(settings, ca);
    if (E.isLeft(endpoint)) throw endpoint.left;
    this.address = endpoint.right.address;
    const common = { ...endpoint.right.options, lazyConnect: true };
    this.subscriber = new Redis({
      ...common,
      connectionName: 'tickflow-commands-sub',
      autoResubscribe: true,
      // SUBSCRIBE waits in the offline queue through a reconnect rather than failing.
      maxRetriesPerRequest: null,
    });
    this.publisher = new Redis({
      ...common,
      connectionName: 'tickflow-commands-pub',
      // A publish either goes out now or fails now: a queued one could leave long after its caller
      // was told it failed.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      commandTimeout: settings.timeoutMs,
      // No reply within the timeout: the socket is dead; drop it so the next publish reconnects.
      socketTimeout: settings.timeoutMs,
    });
    const { metrics } = deps;
    this.connected = metrics.gauge(
      'redis_connected',
      'Whether the command subscriber is connected to Redis (1) or not (0): without it, no START_BACKFILL arrives',
    );
    this.connected.set(0);
    this.reconnects = metrics.counter(
      'redis_subscriber_reconnects_total',
      'Times the command subscriber connection came back after a loss',
    );
    this.heartbeatsMissed = metrics.counter(
      'redis_heartbeat_missed_total',
      'PINGs on the command subscriber that got no answer in time (the connection is then replaced)',
    );
    this.watch(this.subscriber, 'subscriber');
    this.watch(this.publisher, 'publisher');
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.settings.channel) this.deliver(decodeCommand(text));
    });
    this.subscriber.on('ready', () => this.connected.set(1));
    this.subscriber.on('close', () => this.connected.set(0));
  }

  /** The subscriber's connection: commands arrive only while it is up. */
  connection(): CommandBusConnection {
    if (this.closed) return { connected: false, reason: 'the command bus is closed' };
    if (this.subscriber.status === 'ready') return { connected: true };
    const why = this.lastError === undefined ? '' : `: ${this.lastError}`;
    return { connected: false, reason: `not connected to Redis at ${this.address}${why}` };
  }

  async subscribe(onMessage: Handler): Promise<CommandSubscription> {
    if (this.closed) throw new CommandBusClosed();
    this.subscribed ??= this.subscribeChannel().catch((e: unknown) => {
      this.subscribed = undefined;
      throw e;
    });
    await this.subscribed;
    const handler: Handler = (m) => {
      onMessage(m);
    };
    this.handlers.add(handler);
    return {
      close: () => {
        this.handlers.delete(handler);
        return Promise.resolve();
      },
    };
  }

  async publish(command: SystemCommand): Promise<void> {
    if (this.closed) throw new CommandBusClosed();
    const text = encodeCheckedCommand(command);
    if (E.isLeft(text)) throw text.left;
    await whenReady(this.publisher, this.address, this.settings.timeoutMs, () => this.lastError);
    await this.publisher.publish(this.settings.channel, text.right);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.heartbeat?.stop();
    await Promise.all([closeClient(this.subscriber), closeClient(this.publisher)]);
  }

  /** The channel stays subscribed for the bus's life; closing a subscription only drops its handler. */
  private async subscribeChannel(): Promise<void> {
    await whenReady(this.subscriber, this.address, this.settings.timeoutMs, () => this.lastError);
    await this.subscriber.subscribe(this.settings.channel);
    this.logger.info('Subscribed to Redis command channel', {
      channel: this.settings.channel,
      redis: this.address,
    });
    this.heartbeat ??= startHeartbeat(this.subscriber, this.settings.heartbeatMs, () => {
      this.heartbeatsMissed.inc();
      this.logger.warn('Redis command subscriber did not answer PING; reconnecting', { redis: this.address });
      this.subscriber.disconnect(true);
    });
  }

  /** A message that is not a command is handed on too: the subscriber logs and counts it, once. */
  private deliver(message: Inbound): void {
    for (const handler of [...this.handlers]) {
      try {
        handler(message);
      } catch (e) {
        // One failing consumer must not stop the others or the connection's event loop.
        this.logger.error('Command handler threw', { error: (e as Error).message });
      }
    }
  }

  private watch(client: Redis, role: 'subscriber' | 'publisher'): void {
    let everReady = false;
    let up = false;
    // Without an 'error' listener ioredis prints every failed reconnect to the console itself.
    client.on('error', (e: Error) => {
      if (this.lastError !== e.message)
        this.logger.warn('Redis connection error', { role, redis: this.address, error: e.message });
      this.lastError = e.message;
    });
    client.on('ready', () => {
      this.lastError = undefined;
      if (everReady) {
        if (role === 'subscriber') this.reconnects.inc();
        this.logger.info('Redis connection restored', { role, redis: this.address });
      }
      everReady = true;
      up = true;
    });
    client.on('close', () => {
      if (up && !this.closed)
        this.logger.warn('Redis connection lost; reconnecting', { role, redis: this.address });
      up = false;
    });
  }
}
