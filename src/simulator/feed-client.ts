import type { WebSocket } from 'ws';
import type { SubscriptionMode } from '../ports/broker-feed.ts';
import type { ClientStats, ConnectionStats } from './simulator-stats.ts';

const MESSAGE_LOG_LIMIT = 1000;

/** One WebSocket connection: what it asked for and what it was sent. */
export class FeedClient {
  readonly id: number;
  readonly ws: WebSocket;
  readonly accessToken: string;
  readonly connectedAt: number;
  closedAt: number | null = null;
  loggedIn = false;
  /** Subscribed tokens and the mode of each, in subscription order. */
  readonly modes = new Map<number, SubscriptionMode>();
  readonly messages: string[] = [];
  framesSent = 0;
  packetsSent = 0;
  heartbeatsSent = 0;
  framesDroppedForBackpressure = 0;
  /** Monotonic ms of the last frame (data or heartbeat) sent, for the idle heartbeat. */
  lastFrameAt: number;
  /** Monotonic ms until which this connection gets heartbeats but no tick (`mute-connection`). */
  ticksMutedUntil = 0;
  loginTimer: NodeJS.Timeout | undefined;

  constructor(id: number, ws: WebSocket, accessToken: string, connectedAt: number, monotonicNow: number) {
    this.id = id;
    this.ws = ws;
    this.accessToken = accessToken;
    this.connectedAt = connectedAt;
    this.lastFrameAt = monotonicNow;
  }

  record(text: string): void {
    if (this.messages.length >= MESSAGE_LOG_LIMIT) this.messages.shift();
    this.messages.push(text);
  }

  /**
   * Subscribes up to `limit` tokens in all, in the `named` mode or else the `fallback`. A token
   * already subscribed keeps its mode unless the message named one. Returns the tokens refused
   * for the limit.
   */
  subscribe(
    tokens: readonly number[],
    named: SubscriptionMode | undefined,
    fallback: SubscriptionMode,
    limit: number,
  ): number[] {
    const refused: number[] = [];
    for (const token of tokens) {
      if (this.modes.has(token)) {
        if (named !== undefined) this.modes.set(token, named);
      } else if (this.modes.size >= limit) refused.push(token);
      else this.modes.set(token, named ?? fallback);
    }
    return refused;
  }

  unsubscribe(tokens: readonly number[]): void {
    for (const token of tokens) this.modes.delete(token);
  }

  /** Sets the mode of the listed tokens that are subscribed, or of every subscribed token. */
  setMode(mode: SubscriptionMode, tokens: readonly number[] | undefined): void {
    for (const token of tokens ?? [...this.modes.keys()]) {
      if (this.modes.has(token)) this.modes.set(token, mode);
    }
  }

  isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Who follows what now: a socket that is no longer open follows nothing. */
  connection(): ConnectionStats {
    const open = this.isOpen();
    return { id: String(this.id), open, tokens: open ? [...this.modes.keys()] : [] };
  }

  stats(): ClientStats {
    const modes = [...this.modes.values()];
    const first = modes[0];
    return {
      id: this.id,
      connectedAt: this.connectedAt,
      closedAt: this.closedAt,
      loggedIn: this.loggedIn,
      subscribed: [...this.modes.keys()],
      modes: Object.fromEntries([...this.modes].map(([t, m]) => [String(t), m])),
      mode: first === undefined ? null : modes.every((m) => m === first) ? first : 'mixed',
      messages: [...this.messages],
      framesSent: this.framesSent,
      packetsSent: this.packetsSent,
      heartbeatsSent: this.heartbeatsSent,
      framesDroppedForBackpressure: this.framesDroppedForBackpressure,
    };
  }
}
