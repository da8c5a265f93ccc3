import { WebSocket } from 'ws';
import { decodeFrame, type FrameDecodeResult } from '../../../src/adapters/mstock/binary/decode-frame.ts';
import type { TickTimeZone } from '../../../src/protocol/mstock/feed-time.ts';
import { TickSequencer } from '../../../src/domain/tick-sequencer.ts';
import type { Tick } from '../../../src/domain/tick.ts';
import { epochMs } from '../../../src/domain/units.ts';
import type { RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { totpAt } from '../../../src/simulator/totp-check.ts';

/** A trading Thursday, 10:00 IST: the market is open. */
export const THURSDAY_1000_IST = Date.parse('2025-11-20T10:00:00+05:30');
/** A Saturday: the market is closed all day. */
export const SATURDAY_1000_IST = Date.parse('2025-11-22T10:00:00+05:30');

export const VERSION = { 'X-Mirae-Version': '1' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  readonly json: unknown;
}

const read = async (r: Response): Promise<Answer> => {
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
};

export const api = (sim: RunningSimulator, path: string): string => `${sim.url}/openapi/typea/${path}`;

export const post = async (
  sim: RunningSimulator,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = VERSION,
): Promise<Answer> =>
  read(
    await fetch(api(sim, path), {
      method: 'POST',
      headers: { ...FORM, ...headers },
      body: new URLSearchParams(fields).toString(),
    }),
  );

export const get = async (
  sim: RunningSimulator,
  path: string,
  accessToken: string | undefined,
  headers: Record<string, string> = VERSION,
): Promise<Answer> =>
  read(
    await fetch(api(sim, path), {
      headers: {
        ...headers,
        ...(accessToken === undefined
          ? {}
          : { Authorization: `token ${sim.options.credentials.apiKey}:${accessToken}` }),
      },
    }),
  );

const accessTokenOf = (a: Answer): string => {
  const body = a.json as { data?: { access_token?: unknown } } | undefined;
  const token = body?.data?.access_token;
  if (typeof token !== 'string') throw new Error(`no access token in ${a.status} ${a.text}`);
  return token;
};

export const loginWithTotp = async (sim: RunningSimulator): Promise<string> => {
  const { user, password, apiKey, totpSecret } = sim.options.credentials;
  await post(sim, 'connect/login', { username: user, password });
  return accessTokenOf(
    await post(sim, 'session/verifytotp', { api_key: apiKey, totp: totpAt(totpSecret, Date.now())! }),
  );
};

export const waitFor = async (what: string, check: () => boolean, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** A bare `ws` client that keeps everything the server sent. */
export class FeedProbe {
  readonly ws: WebSocket;
  readonly frames: Uint8Array[] = [];
  readonly texts: string[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The HTTP status of a refused handshake, once known. */
  refusedWith: number | undefined;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.frames.push(new Uint8Array(data));
      else this.texts.push(data.toString('utf8'));
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      // With this listener, ws leaves a refused handshake to us: note the status and give up.
      this.ws.once('unexpected-response', (_req, res) => {
        this.refusedWith = res.statusCode;
        res.resume();
        reject(new Error(`handshake refused with HTTP ${String(res.statusCode)}`));
      });
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.closed.catch(() => undefined);
    this.opened.catch(() => undefined);
  }

  static connect(
    sim: RunningSimulator,
    accessToken: string,
    apiKey = sim.options.credentials.apiKey,
  ): FeedProbe {
    return new FeedProbe(
      `${sim.wsUrl}/?API_KEY=${encodeURIComponent(apiKey)}&ACCESS_TOKEN=${encodeURIComponent(accessToken)}`,
    );
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Every frame decoded in order with one sequencer, as a client would. */
  decodeAll(zone: TickTimeZone = 'ist'): FrameDecodeResult[] {
    const sequencer = new TickSequencer();
    return this.frames.map((f) =>
      decodeFrame(f, epochMs(0), sequencer, { tickTimeZone: zone, priceDivisor: 100 }),
    );
  }

  ticks(zone: TickTimeZone = 'ist'): Tick[] {
    return this.decodeAll(zone).flatMap((r) => r.ticks);
  }

  /** The packet lengths of every data frame, read straight off the bytes. */
  packetLengths(): number[] {
    const lengths: number[] = [];
    for (const f of this.frames) {
      if (f.length < 2) continue;
      const view = new DataView(f.buffer, f.byteOffset, f.byteLength);
      let at = 2;
      for (let i = 0; i < view.getUint16(0) && at + 2 <= f.length; i++) {
        const n = view.getUint16(at);
        lengths.push(n);
        at += 2 + n;
      }
    }
    return lengths;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Opens a feed, logs in and subscribes; resolves once the simulator shows the subscription. */
export const subscribedFeed = async (
  sim: RunningSimulator,
  accessToken: string,
  tokens: readonly number[],
  mode?: 'ltp' | 'quote' | 'full',
): Promise<FeedProbe> => {
  const probe = FeedProbe.connect(sim, accessToken);
  await probe.opened;
  const id = Math.max(...sim.stats().clients.map((c) => c.id));
  probe.send(`LOGIN:${accessToken}`);
  probe.send({ a: 'subscribe', v: tokens });
  if (mode !== undefined) probe.send({ a: 'mode', v: [mode, tokens] });
  const expected = mode === undefined ? 2 : 3;
  await waitFor('the subscription', () =>
    sim.stats().clients.some((c) => c.id === id && c.loggedIn && c.messages.length >= expected),
  );
  return probe;
};
