/**
 * `node scripts/record-fixture.ts`: makes the small recorded session the test suite ships,
 * test/fixtures/sessions/simulator-seed1-2025-11-20.tfrec, by running the real m.Stock feed client
 * against the simulator with recording on. The simulator (seed 1) and the feed share one manual
 * clock that moves 250 ms per frame from 2025-11-20 10:00 IST, and ticks are emitted on demand, so
 * the market, every receive time and the block boundaries (sealed by size only) come out the same
 * on every run: running it again rewrites the same bytes.
 *
 * The session holds full-mode frames for six instruments of which the simulator refuses one (its
 * limit is set to five: a text error frame), frames that share an exchange second (tick seq > 0),
 * a malformed frame, and a dropped connection with its reconnect and gap. Next to it,
 * `.expected.json` says what the live feed yielded from those frames: counts, and the SHA-256 of
 * the ticks in their wire form, one per line, which replay must reproduce exactly.
 */
import { simulatorCredentials } from '../src/dev/demo/simulator-env.ts';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger } from '../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../src/adapters/memory/memory-metrics.ts';
import { ManualClock } from '../src/adapters/memory/manual-clock.ts';
import { createMstockAdapters } from '../src/adapters/mstock/create-mstock-adapters.ts';
import { mstockSettings } from '../src/adapters/mstock/mstock-settings.ts';
import { startFeedRecording } from '../src/adapters/recording/feed-recorder.ts';
import { instrumentToken } from '../src/domain/instrument.ts';
import { encodeTick } from '../src/ports/tick-sink/tick-wire.ts';
import { epochMs } from '../src/domain/units.ts';
import type { FeedMessage } from '../src/ports/broker-feed.ts';
import { packagedInstrumentFile } from '../src/adapters/instruments/packaged-instrument-file.ts';
import { loadInstrumentFile, startSimulator } from '../src/simulator/index.ts';

const NAME = 'simulator-seed1-2025-11-20';
const OUT_DIR = new URL('../test/fixtures/sessions/', import.meta.url);
const START = Date.parse('2025-11-20T10:00:00+05:30');
/** NIFTY 50, RELIANCE, TCS, INFY, HDFCBANK, ICICIBANK (refused: over the simulator's limit). */
const TOKENS = [26000, 2885, 11536, 1594, 1333, 4963];
const FRAMES_BEFORE_DROP = 30;
const FRAMES_AFTER_DROP = 25;
const TICKS_PER_FRAME = 6;

const clock = new ManualClock(epochMs(START));
const instruments = (await loadInstrumentFile(packagedInstrumentFile())).filter((i) =>
  TOKENS.includes(i.token),
);
const sim = await startSimulator({
  port: 0,
  seed: 1,
  rate: 0,
  alwaysOpen: true,
  heartbeatIntervalMs: 0,
  maxInstrumentsPerConnection: 5,
  clock: () => clock.now(),
  instruments,
});
const dir = mkdtempSync(join(tmpdir(), 'tickflow-fixture-'));
const logger = new MemoryLogger('warn');
const metrics = new MemoryMetrics();
const recording = startFeedRecording({
  dir,
  logger,
  metrics,
  recorder: 'scripts/record-fixture.ts',
  flushIntervalMs: 3_600_000,
  maxBlockBytes: 16 * 1024,
});
const adapters = createMstockAdapters({
  credentials: simulatorCredentials,
  settings: mstockSettings({
    apiUrl: sim.url,
    feed: {
      wsUrl: sim.wsUrl,
      staleAfterMs: 3_600_000,
      reconnectBackoff: { initialMs: 1, maxMs: 1, multiplier: 1 },
    },
  }),
  clock,
  logger,
  metrics,
  feedTap: recording.tap,
});

const abort = new AbortController();
const stream = adapters.feed.messages(
  { tokens: TOKENS.map((t) => instrumentToken(t)), mode: 'full' },
  abort.signal,
);
const iterator = stream[Symbol.asyncIterator]();
const seen: FeedMessage[] = [];
const next = async (kind: FeedMessage['kind']): Promise<void> => {
  for (;;) {
    const r = await iterator.next();
    if (r.done === true) throw new Error(`the feed ended while waiting for ${kind}`);
    seen.push(r.value);
    if (r.value.kind === kind) return;
  }
};
/** Until the simulator has the client subscribed in full mode (it refuses the sixth token). */
const subscribed = async (): Promise<void> => {
  for (let i = 0; i < 500; i++) {
    const client = sim.stats().clients.find((c) => c.closedAt === null && c.loggedIn);
    const modes = Object.values(client?.modes ?? {});
    if (modes.length === 5 && modes.every((m) => m === 'full')) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the simulator never had the client subscribed');
};
const frames = async (count: number): Promise<void> => {
  for (let i = 0; i < count; i++) {
    clock.advance(250);
    sim.emitTicks(TICKS_PER_FRAME);
    await next('ticks');
  }
};

try {
  await next('connected');
  await subscribed();
  await frames(FRAMES_BEFORE_DROP);
  clock.advance(250);
  sim.faults.sendMalformedFrames('unknown-length', 1);
  await next('ticks');
  clock.advance(1000);
  sim.faults.dropConnections();
  await next('disconnected');
  clock.advance(2000);
  await next('gap');
  await subscribed();
  await frames(FRAMES_AFTER_DROP);
} finally {
  abort.abort();
  await iterator.return?.();
  adapters.session.close();
  await sim.close();
}
const summary = await recording.close();
const [file] = summary.files;
if (summary.files.length !== 1 || file === undefined)
  throw new Error(`expected one file, got ${summary.files.length}`);
copyFileSync(file, new URL(`${NAME}.tfrec`, OUT_DIR));
rmSync(dir, { recursive: true });

const ticks = seen.flatMap((m) => (m.kind === 'ticks' ? m.ticks : []));
const kinds: Record<string, number> = {};
for (const m of seen) kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
const expected = {
  frames: summary.frames,
  ticks: ticks.length,
  messages: kinds,
  tokens: [...new Set(ticks.map((t) => t.token))].sort(),
  ticksSha256: createHash('sha256')
    .update(ticks.map((t) => `${encodeTick(t)}\n`).join(''))
    .digest('hex'),
};
// Short arrays on one line, as Prettier writes JSON, so the checked-in file passes `prettier --check`.
const json = JSON.stringify(expected, null, 2).replace(
  /\[\s+([^[\]{}]*?)\s+\]/g,
  (_, inner: string) => `[${inner.split(/,\s+/).join(', ')}]`,
);
writeFileSync(new URL(`${NAME}.expected.json`, OUT_DIR), `${json}\n`);
process.stdout.write(`${NAME}.tfrec: ${summary.bytesWritten} bytes; ${JSON.stringify(expected)}\n`);
