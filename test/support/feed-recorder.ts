import { WebSocket } from 'ws';
import { decodeFrame } from '../../src/adapters/mstock/binary/decode-frame.ts';
import { TickSequencer } from '../../src/domain/tick-sequencer.ts';
import { epochMs } from '../../src/domain/units.ts';
import type { RunningSimulator } from '../../src/simulator/index.ts';
import { loginWithTotp, waitFor } from '../int/simulator/sim-test-client.ts';

/** One packet the simulator sent to the recorder, in the order it sent them. */
export interface RecordedTick {
  readonly token: string;
  readonly volume: number;
  readonly exchangeTime: number;
  /** Wall-clock ms when the recorder read the frame that carried it. */
  readonly receivedAt: number;
}

/**
 * A feed client of its own on the simulator, subscribed to the same tokens as the service: the
 * simulator sends every batch to every subscriber in one call, so the recorder's packets are the
 * full sequence the service's connections each received a contiguous stretch of.
 */
export interface FeedRecorder {
  /** The simulator's id of the recorder's connection (its `clients()` entry). */
  readonly clientId: number;
  readonly ticks: readonly RecordedTick[];
  /** Packets that did not decode (the simulator sends none unless a fault asks it to). */
  readonly malformed: () => number;
  close(): Promise<void>;
}

export const startFeedRecorder = async (
  sim: RunningSimulator,
  tokens: readonly number[],
  mode: 'ltp' | 'quote' | 'full',
): Promise<FeedRecorder> => {
  const accessToken = await loginWithTotp(sim);
  const { apiKey } = sim.options.credentials;
  const ws = new WebSocket(
    `${sim.wsUrl}/?API_KEY=${encodeURIComponent(apiKey)}&ACCESS_TOKEN=${encodeURIComponent(accessToken)}`,
  );
  const ticks: RecordedTick[] = [];
  const sequencer = new TickSequencer();
  let malformed = 0;
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return;
    const receivedAt = Date.now();
    const frame = decodeFrame(new Uint8Array(data), epochMs(receivedAt), sequencer, {
      tickTimeZone: sim.options.tickTimeZone,
      priceDivisor: 100,
    });
    malformed += frame.malformed.length;
    for (const t of frame.ticks)
      ticks.push({ token: t.token, volume: t.volume, exchangeTime: t.exchangeTime ?? 0, receivedAt });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const clientId = Math.max(...sim.stats().clients.map((c) => c.id));
  ws.send(`LOGIN:${accessToken}`);
  ws.send(JSON.stringify({ a: 'subscribe', v: { [mode]: tokens } }));
  await waitFor(
    'the recorder subscription',
    () => sim.stats().clients.some((c) => c.id === clientId && c.loggedIn && c.subscribed.length > 0),
    10_000,
  );
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  return {
    clientId,
    ticks,
    malformed: () => malformed,
    close: async () => {
      ws.close();
      await closed;
    },
  };
};
