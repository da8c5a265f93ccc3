import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { HEARTBEAT_FRAME } from './encode-frame.ts';
import type { MarketSession } from '../domain/market-session.ts';
import { epochMs } from '../domain/units.ts';
import type { SubscriptionMode } from '../ports/broker-feed.ts';
import type { Logger } from '../ports/logger/logger.ts';
import type { FaultState, MalformedFrameKind } from './fault-state.ts';
import { FeedClient } from './feed-client.ts';
import { readClientText } from './feed-messages.ts';
import { malformedFrame } from './malformed-frames.ts';
import type { LiveQuote, SimMarket } from './market-model.ts';
import { quoteFields } from './quote-packets.ts';
import { roundToTick } from './reference-prices.ts';
import type { Random } from './seeded-random.ts';
import type { SessionStore } from './session-store.ts';
import type { DropConnectionResult } from './simulator-faults.ts';
import type { SimulatorOptions } from './simulator-options.ts';
import type { ClientStats, ConnectionStats, FeedTotals, TokenCounters } from './simulator-stats.ts';
import { buildFrames, TickBatch } from './tick-batch.ts';

export interface FeedServerDeps {
  readonly options: SimulatorOptions;
  readonly sessions: SessionStore;
  readonly market: SimMarket;
  readonly marketSession: MarketSession;
  readonly faults: FaultState;
  readonly counters: (token: number) => TokenCounters;
  /** For fault decisions only, so faults never shift the market's random sequence. */
  readonly faultRandom: Random;
  readonly logger: Logger | undefined;
}

const CLOSED_CLIENTS_KEPT = 100;
const POLICY_VIOLATION = 1008;

const bytesOf = (data: RawData): Buffer =>
  Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(new Uint8Array(data));

/** Query values percent-decoded as they are, so a '+' in an API key stays a '+'. */
const queryParams = (url: string): Map<string, string> => {
  const params = new Map<string, string>();
  const q = url.indexOf('?');
  if (q < 0) return params;
  for (const part of url.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    try {
      params.set(key, decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1)));
    } catch {
      params.set(key, '');
    }
  }
  return params;
};

/**
 * The live feed: WebSocket handshake and LOGIN, subscriptions, the market pump that turns ticks
 * into batched binary frames, idle heartbeats, and the feed faults.
 */
export class FeedServer {
  readonly #deps: FeedServerDeps;
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 });
  readonly #clients = new Set<FeedClient>();
  readonly #closed: FeedClient[] = [];
  #nextId = 1;
  #timer: NodeJS.Timeout | undefined;
  #lastPump = performance.now();
  #carry = 0;
  readonly #totals = {
    ticks: 0,
    packetsSent: 0,
    framesSent: 0,
    bytesSent: 0,
    heartbeatsSent: 0,
    malformedFramesSent: 0,
    handshakesAccepted: 0,
    handshakesRefused: 0,
  };

  constructor(deps: FeedServerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#lastPump = performance.now();
    this.#timer = setInterval(() => {
      this.pump();
    }, this.#deps.options.pumpIntervalMs);
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const c of this.#clients) c.ws.terminate();
    await new Promise<void>((resolve) => {
      this.#wss.close(() => {
        resolve();
      });
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { options, sessions, faults } = this.#deps;
    const url = req.url ?? '/';
    const path = url.split('?')[0];
    const params = queryParams(url);
    const apiKey = params.get('API_KEY') ?? '';
    const accessToken = params.get('ACCESS_TOKEN') ?? '';
    const authorised =
      apiKey === options.credentials.apiKey &&
      sessions.check(apiKey, accessToken, options.clock()) === 'valid';
    if (path !== '/' && path !== '') {
      this.#refuse(socket, 404);
    } else if (faults.takeHandshakeRefusal() || !authorised) {
      this.#refuse(socket, options.handshakeRefusalStatus);
    } else {
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        this.#accept(ws, accessToken);
      });
    }
  }

  #refuse(socket: Duplex, status: number): void {
    this.#totals.handshakesRefused += 1;
    // A bare status line and no body, as the real gateway was seen to answer.
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  }

  #accept(ws: WebSocket, accessToken: string): void {
    const { options } = this.#deps;
    this.#totals.handshakesAccepted += 1;
    const client = new FeedClient(this.#nextId++, ws, accessToken, options.clock(), performance.now());
    this.#clients.add(client);
    client.loginTimer = setTimeout(() => {
      if (!client.loggedIn) ws.close(POLICY_VIOLATION, 'LOGIN not received');
    }, options.loginTimeoutMs);
    ws.on('message', (data, isBinary) => {
      const bytes = bytesOf(data);
      if (isBinary) client.record(`<binary ${bytes.length} bytes>`);
      else this.#onText(client, bytes.toString('utf8'));
    });
    ws.on('error', (e) => {
      this.#deps.logger?.debug('simulator feed socket error', { client: client.id, error: e.message });
    });
    ws.on('close', () => {
      clearTimeout(client.loginTimer);
      client.closedAt = options.clock();
      this.#clients.delete(client);
      this.#closed.push(client);
      if (this.#closed.length > CLOSED_CLIENTS_KEPT) this.#closed.shift();
      this.#followSubscriptions();
    });
  }

  /** Tells the market what the open connections follow now (a large universe ticks only that). */
  #followSubscriptions(): void {
    const followed = new Set<number>();
    for (const c of this.#clients) if (c.isOpen()) for (const token of c.modes.keys()) followed.add(token);
    this.#deps.market.follow(followed);
  }

  #sendError(client: FeedClient, message: string): void {
    if (client.isOpen()) client.ws.send(JSON.stringify({ type: 'error', data: message }));
  }

  #onText(client: FeedClient, text: string): void {
    const { options, sessions } = this.#deps;
    client.record(text);
    const request = readClientText(text);
    switch (request.kind) {
      case 'login':
        if (sessions.check(options.credentials.apiKey, request.accessToken, options.clock()) === 'valid') {
          client.loggedIn = true;
          clearTimeout(client.loginTimer);
        } else {
          this.#sendError(client, 'Invalid access token');
          client.ws.close(POLICY_VIOLATION, 'Invalid access token');
        }
        return;
      case 'subscribe': {
        const refused = request.groups.flatMap((g) =>
          client.subscribe(g.tokens, g.mode, options.defaultMode, options.maxInstrumentsPerConnection),
        );
        this.#followSubscriptions();
        if (refused.length > 0) {
          this.#sendError(
            client,
            `Subscription limit of ${options.maxInstrumentsPerConnection} instruments reached; ` +
              `${refused.length} not subscribed: ${refused.slice(0, 20).join(',')}`,
          );
        }
        return;
      }
      case 'unsubscribe':
        client.unsubscribe(request.tokens);
        this.#followSubscriptions();
        return;
      case 'mode':
        client.setMode(request.mode, request.tokens);
        return;
      case 'invalid':
        this.#sendError(client, request.reason);
        return;
      case 'ignored':
        return;
    }
  }

  /** One timer step: advance the market by the ticks due at `rate`, send them, send heartbeats. */
  pump(): void {
    const { options, marketSession } = this.#deps;
    const now = performance.now();
    const elapsed = now - this.#lastPump;
    this.#lastPump = now;
    const at = options.clock();
    if (options.rate > 0 && (options.alwaysOpen || marketSession.isOpen(epochMs(at)))) {
      this.#carry += (options.rate * elapsed) / 1000;
      let n = Math.floor(this.#carry);
      this.#carry -= n;
      // After a stall (a paused event loop), do not flood: at most four pumps' worth at once.
      const cap = Math.max(1, Math.ceil((options.rate * options.pumpIntervalMs * 4) / 1000));
      if (n > cap) {
        n = cap;
        this.#carry = 0;
      }
      if (n > 0) this.emit(n, at);
    } else {
      this.#carry = 0;
    }
    this.#heartbeats(now);
  }

  /** Generates `n` ticks at market time `at` and sends them to every logged-in subscriber. */
  emit(n: number, at: number): void {
    const { options, market, faults, counters } = this.#deps;
    const monotonic = performance.now();
    const receivers = faults.sendsNoTicks()
      ? []
      : [...this.#clients].filter(
          (c) => c.loggedIn && c.isOpen() && c.modes.size > 0 && c.ticksMutedUntil <= monotonic,
        );
    const modes = new Set<SubscriptionMode>();
    for (const c of receivers) for (const m of c.modes.values()) modes.add(m);
    // A large universe ticks only what some connection follows: with no follower, no tick.
    if (!market.canStep()) return;
    const batch = new TickBatch(n, modes, options, options.tickTimeZone);
    const stamp = epochMs(at);
    for (let i = 0; i < n; i++) {
      const q = market.step(stamp);
      if (faults.takeOutOfBand(q.instrument.token)) {
        counters(q.instrument.token).outOfBandSent += 1;
        batch.add(q, outOfBandPrice(q));
      } else {
        batch.add(q);
      }
    }
    this.#totals.ticks += n;
    for (const c of receivers) this.#sendBatch(c, batch);
  }

  #sendBatch(client: FeedClient, batch: TickBatch): void {
    const { options, faults, counters, faultRandom } = this.#deps;
    const picks: number[] = [];
    const pickModes: SubscriptionMode[] = [];
    for (let i = 0; i < batch.count; i++) {
      const token = batch.tokens[i] ?? 0;
      const mode = client.modes.get(token);
      if (mode === undefined) continue;
      if (faults.isTokenSilent(token)) {
        counters(token).suppressed += 1;
        continue;
      }
      const share = faults.tokenDropShare.get(token);
      if (share !== undefined && faultRandom.next() < share) {
        counters(token).dropped += 1;
        continue;
      }
      picks.push(i);
      pickModes.push(mode);
    }
    if (picks.length === 0) return;
    const frames = buildFrames(batch, picks, pickModes, options.maxPacketsPerFrame);
    frames.forEach((frame, j) => {
      if (client.ws.bufferedAmount > options.maxBufferedBytes) {
        client.framesDroppedForBackpressure += 1;
        return;
      }
      const from = j * options.maxPacketsPerFrame;
      const to = Math.min(picks.length, from + options.maxPacketsPerFrame);
      for (let k = from; k < to; k++) counters(batch.tokens[picks[k] ?? 0] ?? 0).sent += 1;
      this.#send(client, frame, to - from);
    });
  }

  #send(client: FeedClient, frame: Uint8Array, packets: number): void {
    client.ws.send(frame, { binary: true });
    client.framesSent += 1;
    client.packetsSent += packets;
    client.lastFrameAt = performance.now();
    this.#totals.framesSent += 1;
    this.#totals.packetsSent += packets;
    this.#totals.bytesSent += frame.byteLength;
  }

  #heartbeats(now: number): void {
    const interval = this.#deps.options.heartbeatIntervalMs;
    if (interval <= 0 || this.#deps.faults.isSilent()) return;
    for (const c of this.#clients) {
      if (c.loggedIn && c.isOpen() && now - c.lastFrameAt >= interval) {
        c.ws.send(HEARTBEAT_FRAME, { binary: true });
        c.heartbeatsSent += 1;
        c.lastFrameAt = now;
        this.#totals.heartbeatsSent += 1;
      }
    }
  }

  /** Closes every connection abruptly (no close frame), as a network drop would. */
  dropConnections(): number {
    const n = this.#clients.size;
    for (const c of this.#clients) c.ws.terminate();
    return n;
  }

  /** Closes one connection abruptly, by its stats id; 0 when already closed, unknown when not kept. */
  dropConnection(id: string): DropConnectionResult {
    const open = [...this.#clients].find((c) => String(c.id) === id);
    if (open !== undefined) {
      const wasOpen = open.isOpen();
      open.ws.terminate();
      return { kind: 'dropped', count: wasOpen ? 1 : 0 };
    }
    return this.#closed.some((c) => String(c.id) === id)
      ? { kind: 'dropped', count: 0 }
      : { kind: 'unknown-connection', id };
  }

  /**
   * One connection gets heartbeats but no tick for `ms` (or until `resume`), the others tick on:
   * a mute socket among live ones. False when no open connection has this id.
   */
  muteConnection(id: string, ms: number | undefined): boolean {
    const open = [...this.#clients].find((c) => String(c.id) === id && c.isOpen());
    if (open === undefined) return false;
    open.ticksMutedUntil = ms === undefined ? Number.POSITIVE_INFINITY : performance.now() + ms;
    return true;
  }

  /** Ends every `muteConnection`. */
  unmuteConnections(): void {
    for (const c of this.#clients) c.ticksMutedUntil = 0;
  }

  /**
   * Closes the connections opened with these access tokens, as the server ends an expired session's
   * feed: a close frame 1008 'Session expired' (the expire-sessions fault and single-session mode).
   */
  closeSessions(tokens: readonly string[]): number {
    const set = new Set(tokens);
    let n = 0;
    for (const c of this.#clients) {
      if (set.has(c.accessToken)) {
        c.ws.close(POLICY_VIOLATION, 'Session expired');
        n += 1;
      }
    }
    return n;
  }

  /** Sends `count` broken frames of `kind` to every logged-in client; returns the frames sent. */
  sendMalformed(kind: MalformedFrameKind, count: number): number {
    const { market, options, counters } = this.#deps;
    let sent = 0;
    for (const c of this.#clients) {
      if (!c.loggedIn || !c.isOpen()) continue;
      const token = [...c.modes.keys()].find((t) => market.quote(t) !== undefined);
      const q = (token === undefined ? undefined : market.quote(token)) ?? market.quotes[0];
      if (q === undefined) return sent;
      for (let i = 0; i < count; i++) {
        const { frame, goodPackets } = malformedFrame(kind, quoteFields(q, options.tickTimeZone, false));
        counters(q.instrument.token).sent += goodPackets;
        this.#send(c, frame, goodPackets);
        sent += 1;
      }
    }
    this.#totals.malformedFramesSent += sent;
    return sent;
  }

  clients(): ClientStats[] {
    return [...this.#closed, ...this.#clients].sort((a, b) => a.id - b.id).map((c) => c.stats());
  }

  /** Every connection the stats keep, in id order, and what each follows now. */
  connections(): ConnectionStats[] {
    return [...this.#closed, ...this.#clients].sort((a, b) => a.id - b.id).map((c) => c.connection());
  }

  totals(): FeedTotals {
    return { ...this.#totals };
  }
}

/** A price 5% above the upper circuit: what a bad packet from the exchange could carry. */
const outOfBandPrice = (q: LiveQuote): number => roundToTick(q.upperCircuit * 1.05);
