import { either as E } from 'fp-ts';
import type { SystemCommand } from '../../domain/system-command.ts';
import type {
  CommandBus,
  CommandBusConnection,
  CommandSubscription,
  Inbound,
} from '../../ports/command-bus/command-bus.ts';
import { decodeCommand, encodeCheckedCommand } from '../../ports/command-bus/command-wire.ts';
import { CommandBusClosed } from '../../ports/command-bus/command-bus-errors.ts';

type Handler = (message: Inbound) => void;

/**
 * The command bus in memory, for tests and the demo. Commands travel as the same text the Redis bus
 * sends and are decoded by the same code, so a command the Redis bus would reject is rejected here
 * too. Delivery is asynchronous, as over a network, and keeps publish order.
 */
export class MemoryCommandBus implements CommandBus {
  private readonly handlers = new Set<Handler>();
  private closed = false;
  /** Every text published, raw or encoded, for tests to assert on. */
  readonly sent: string[] = [];
  readonly handlerErrors: unknown[] = [];

  subscribe(onMessage: Handler): Promise<CommandSubscription> {
    if (this.closed) return Promise.reject(new CommandBusClosed());
    const handler: Handler = (m) => {
      onMessage(m);
    };
    this.handlers.add(handler);
    return Promise.resolve({
      close: () => {
        this.handlers.delete(handler);
        return Promise.resolve();
      },
    });
  }

  publish(command: SystemCommand): Promise<void> {
    if (this.closed) return Promise.reject(new CommandBusClosed());
    const text = encodeCheckedCommand(command);
    if (E.isLeft(text)) return Promise.reject(text.left);
    return this.publishRaw(text.right);
  }

  /** Puts any text on the channel, as `redis-cli PUBLISH` would. */
  publishRaw(text: string): Promise<void> {
    if (this.closed) return Promise.reject(new CommandBusClosed());
    this.sent.push(text);
    // Handlers are those subscribed when the message was sent, as with Redis.
    const targets = [...this.handlers];
    queueMicrotask(() => {
      const message = decodeCommand(text);
      for (const handler of targets) {
        // A subscription closed after the send but before delivery no longer receives.
        if (!this.handlers.has(handler)) continue;
        try {
          handler(message);
        } catch (e) {
          // As on Redis, one failing consumer does not stop the others; tests read what failed.
          this.handlerErrors.push(e);
        }
      }
    });
    return Promise.resolve();
  }

  connection(): CommandBusConnection {
    return this.closed ? { connected: false, reason: 'the command bus is closed' } : { connected: true };
  }

  close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    return Promise.resolve();
  }
}
