import type { EpochMs } from '../../domain/units.ts';
import type { FeedMessage } from '../../ports/broker-feed.ts';

type StatusMessage = Extract<FeedMessage, { readonly kind: 'connected' | 'disconnected' }>;

interface SocketState {
  /** Counted in "every socket is up": the stream's first sockets from the start, a later one once it connected. */
  counted: boolean;
  up: boolean;
  /** Its connection attempts so far (1 = its first). */
  attempts: number;
}

/**
 * One connection status for a stream over several sockets, with the meaning the app's stages give
 * a single connection: `connected` once every socket is up (a socket opened later counts from its
 * first connect), `disconnected` as soon as one of them drops; each said once per change.
 * `connected.attempt` is 1 + every socket's attempts beyond its first, so above 1 means that some
 * socket reconnected (or needed more than one try), as it meant for one socket.
 */
export class FeedStatusMerge<Socket = number> {
  /** By socket identity, never by a number a later socket may be given. */
  private readonly sockets = new Map<Socket, SocketState>();
  private connected = false;
  /** Attempts beyond the first of sockets since closed: `attempt` never goes back. */
  private retiredRetries = 0;

  /** A socket of the stream; `counted` for the first ones, false for one opened later. */
  add(socket: Socket, counted: boolean): void {
    this.sockets.set(socket, { counted, up: false, attempts: 0 });
  }

  /** The socket is gone for good (emptied and closed): it no longer counts. */
  remove(socket: Socket, at: EpochMs): StatusMessage | undefined {
    this.retiredRetries += Math.max(0, (this.sockets.get(socket)?.attempts ?? 0) - 1);
    this.sockets.delete(socket);
    return this.settle(at, 'socket closed');
  }

  up(socket: Socket, attempt: number, at: EpochMs): StatusMessage | undefined {
    const s = this.sockets.get(socket);
    if (s === undefined) return undefined;
    s.up = true;
    s.counted = true;
    s.attempts = attempt;
    return this.settle(at, '');
  }

  down(socket: Socket, at: EpochMs, reason: string): StatusMessage | undefined {
    const s = this.sockets.get(socket);
    if (s === undefined) return undefined;
    s.up = false;
    return this.settle(at, reason);
  }

  /** Whether the stream counts as connected now. */
  get isConnected(): boolean {
    return this.connected;
  }

  private settle(at: EpochMs, reason: string): StatusMessage | undefined {
    const counted = [...this.sockets.values()].filter((s) => s.counted);
    const allUp = counted.length > 0 && counted.every((s) => s.up);
    if (allUp === this.connected) return undefined;
    this.connected = allUp;
    if (!allUp) return { kind: 'disconnected', at, reason };
    let attempt = 1 + this.retiredRetries;
    for (const s of this.sockets.values()) attempt += Math.max(0, s.attempts - 1);
    return { kind: 'connected', at, attempt };
  }
}
