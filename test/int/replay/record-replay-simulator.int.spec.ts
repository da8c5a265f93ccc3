import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { FeedMessage } from '../../../src/ports/broker-feed.ts';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { replay } from '../../unit/replay/replay-harness.ts';
import { recordedAdapters } from './recorded-simulator.ts';

const TOKENS = ['26000', '2885', '11536', '1594'].map((t) => instrumentToken(t));

let sim: RunningSimulator | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('recording the live m.Stock feed (simulator, real WebSocket) and replaying it', () => {
  it('replays exactly the messages the live feed yielded: ticks, reconnect, gap, malformed frames', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickflow-rec-int-'));
    dirs.push(dir);
    sim = await startSimulator({ alwaysOpen: true, rate: 4000, heartbeatIntervalMs: 20, pumpIntervalMs: 10 });
    const { feed, recording, session } = recordedAdapters(sim, dir);
    const live: FeedMessage[] = [];
    const abort = new AbortController();
    let ticks = 0;
    let phase = 0;
    for await (const m of feed.messages({ tokens: TOKENS, mode: 'full' }, abort.signal)) {
      live.push(m);
      if (m.kind === 'ticks') ticks += m.ticks.length;
      if (phase === 0 && ticks >= 200) {
        phase = 1;
        sim.faults.sendMalformedFrames('count-too-high', 2);
        sim.faults.dropConnections();
      }
      if (phase === 1 && m.kind === 'gap') {
        phase = 2;
        // A quiet spell: the simulator sends heartbeat frames, which are recorded too.
        for (const t of TOKENS) sim.faults.silenceToken(Number(t), 150);
      }
      if (phase === 2 && ticks >= 600) abort.abort();
    }
    session.close();
    const summary = await recording.close();
    expect(readdirSync(dir)).toHaveLength(1);
    expect(summary.lostFrames).toBe(0);

    const replayed = await replay(summary.files);
    const { messages } = replayed;
    const report = replayed.feed.report;
    expect(messages).toEqual(live);
    expect(live.filter((m) => m.kind === 'gap')).toHaveLength(1);
    expect(report.heartbeats).toBeGreaterThan(0);
    expect(report.malformedPackets).toBeGreaterThan(0);
    expect(report.sources[0]?.ending).toEqual({ kind: 'complete' });
  });
});
