import WebSocket from 'ws';
import type { EpochMs } from '../../domain/units.ts';
import type { Clock } from '../../ports/clock.ts';
import { BrokerUnavailable, SessionExpired, type MstockError } from './mstock-errors.ts';
import type { SecretMasker } from './secret-masker.ts';

export type SocketEvent =
  | { readonly type: 'binary'; readonly data: Uint8Array; readonly receivedAt: EpochMs }
  | { readonly type: 'text'; readonly text: string; readonly receivedAt: EpochMs }
  | {
      readonly type: 'closed';
      readonly reason: string;
      /** The server ended it with a close frame (not our own close, not a dropped connection). */
      readonly byServer: boolean;
    };

export interface FeedSocketOptions {
  readonly handshakeTimeoutMs: number;
  /** Frames queued for the consumer before the socket is paused; it resumes at a quarter of this. */
  readonly highWaterMarkFrames: number;
  readonly clock: Clock;
  readonly masker: SecretMasker;
  /** Called each time the socket is paused because the consumer fell behind. */
  readonly onPause: () => void;
}

/** The close code `ws` reports when the connection ended without a close frame (RFC 6455, 7.1.5). */
const ABNORMAL_CLOSURE = 1006;

const toBytes = (data: WebSocket.RawData): Buffer =>
  Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);

/** A refused handshake as a typed error: 401/403 mean the token, anything else the gateway. */
const handshakeError = (status: number): MstockError =>
  status === 401 || status === 403
    ? new SessionExpired({ endpoint: 'websocket', status, brokerMessage: 'handshake refused' })
    : new BrokerUnavailable({ endpoint: 'websocket', status, brokerMessage: 'handshake refused' });

/**
 * One WebSocket connection to the feed, read as a pull queue: `next()` gives frames in arrival
 * order, then one `closed` event. When the consumer falls `highWaterMarkFrames` behind, the socket
 * is paused (TCP then pushes back on the server) instead of buffering without bound.
 */
export class FeedSocket {
  private readonly ws: WebSocket;
  private readonly options: FeedSocketOptions;
  private readonly queue: SocketEvent[] = [];
  private head = 0;
  private waiter: ((event: SocketEvent) => void) | undefined;
  private closed: SocketEvent | undefined;
  private paused = false;
  private lastError: string | undefined;
  /** When the last frame of any kind (heartbeats too) arrived; the open time before the first. */
  lastFrameAt: EpochMs;

  private constructor(ws: WebSocket, options: FeedSocketOptions) {
    this.ws = ws;
    this.options = options;
    this.lastFrameAt = options.clock.now();
  }

  /** Connects; rejects with `SessionExpired`/`BrokerUnavailable` on refusal, an AbortError on abort. */
  static open(url: string, options: FeedSocketOptions, signal: AbortSignal): Promise<FeedSocket> {
    signal.throwIfAborted();
    const ws = new WebSocket(url, { handshakeTimeout: options.handshakeTimeoutMs });
    const socket = new FeedSocket(ws, options);
    return new Promise<FeedSocket>((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | undefined): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) {
          socket.lastFrameAt = options.clock.now();
          resolve(socket);
        } else {
          ws.terminate();
          reject(error);
        }
      };
      const onAbort = (): void =>
        settle(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      ws.on('unexpected-response', (_request, response) => {
        response.resume();
        settle(handshakeError(response.statusCode ?? 0));
      });
      ws.on('open', () => settle(undefined));
      ws.on('error', (e) => {
        socket.lastError = options.masker.mask(e.message);
        settle(
          new BrokerUnavailable({
            endpoint: 'websocket',
            status: 'network_error',
            brokerMessage: socket.lastError,
          }),
        );
      });
      ws.on('close', (code, reason) => {
        const said = reason.length > 0 ? `: ${options.masker.mask(reason.toString('utf8'))}` : '';
        const why =
          socket.lastError === undefined ? `closed by the server (code ${code}${said})` : socket.lastError;
        settle(new BrokerUnavailable({ endpoint: 'websocket', status: 'network_error', brokerMessage: why }));
        // By the server only with a close frame (1006: none came, the connection dropped). After our
        // own close() the socket is already finished and this changes nothing.
        socket.finish(why, socket.lastError === undefined && code !== ABNORMAL_CLOSURE);
      });
      ws.on('message', (data, isBinary) => {
        const receivedAt = options.clock.now();
        socket.lastFrameAt = receivedAt;
        const bytes = toBytes(data);
        socket.push(
          isBinary
            ? { type: 'binary', data: bytes, receivedAt }
            : { type: 'text', text: bytes.toString('utf8'), receivedAt },
        );
      });
    });
  }

  /** Nothing waiting to be read and not paused: only then does silence mean the server is silent. */
  get idle(): boolean {
    return this.head === this.queue.length && !this.paused;
  }

  send(text: string): void {
    this.ws.send(text);
  }

  /** The next frame, or `closed` once the socket is gone and every frame before it was read. */
  next(): Promise<SocketEvent> {
    if (this.head < this.queue.length) {
      const event = this.take();
      if (this.paused && this.queue.length - this.head <= this.options.highWaterMarkFrames / 4) {
        this.paused = false;
        this.ws.resume();
      }
      return Promise.resolve(event);
    }
    if (this.closed !== undefined) return Promise.resolve(this.closed);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Drops the connection at once (no closing handshake, so no timer is left behind). */
  close(reason: string): void {
    this.finish(reason, false);
    this.ws.terminate();
  }

  private take(): SocketEvent {
    const event = this.queue[this.head] as SocketEvent;
    this.head += 1;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      // A backlog that never drains fully: drop the read part now and then, not on every read.
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return event;
  }

  private push(event: SocketEvent): void {
    if (this.closed !== undefined) return;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter(event);
      return;
    }
    this.queue.push(event);
    if (!this.paused && this.queue.length - this.head >= this.options.highWaterMarkFrames) {
      this.paused = true;
      this.ws.pause();
      this.options.onPause();
    }
  }

  private finish(reason: string, byServer: boolean): void {
    if (this.closed !== undefined) return;
    this.closed = { type: 'closed', reason, byServer };
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(this.closed);
  }
}
