import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { MstockInstrumentMaster } from '../../../src/adapters/instruments/mstock-instrument-master.ts';
import { systemClock } from '../../../src/adapters/system/system-clock.ts';
import { MstockHttpClient } from '../../../src/adapters/mstock/mstock-http-client.ts';
import { SecretMasker } from '../../../src/adapters/mstock/secret-masker.ts';
import { either as E } from 'fp-ts';
import { parseInstrumentQuery } from '../../../src/domain/instrument-query-parse.ts';
import { selectInstruments } from '../../../src/domain/instrument-query-select.ts';
import { istDateOf } from '../../../src/domain/ist.ts';
import { MS_PER_DAY, epochMs } from '../../../src/domain/units.ts';
import { InstrumentMasterUnavailable } from '../../../src/ports/instrument-master.ts';
import {
  startSimulatorAndAdapters,
  type SimulatorAndAdapters,
  type SimulatorSetup,
} from '../mstock-client/simulator-harness.ts';

let h: SimulatorAndAdapters | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

const setUp = async (setup: SimulatorSetup = {}) => {
  h = await startSimulatorAndAdapters(setup);
  dataDir = await mkdtemp(join(tmpdir(), 'tickflow-master-'));
  return { h, dataDir };
};

const masterFor = (s: SimulatorAndAdapters, dir: string, clock = systemClock) =>
  new MstockInstrumentMaster({ client: s.client, session: s.session, dataDir: dir, clock, logger: s.logger });

const masterCalls = (s: SimulatorAndAdapters): number =>
  s.sim.stats().rest.counts['instruments/scriptmaster'] ?? 0;

const today = () => istDateOf(systemClock.now());

describe('MstockInstrumentMaster against the simulator', () => {
  it('downloads the master once a day, keeps it under DATA_DIR/instruments and reuses it', async () => {
    const { h, dataDir } = await setUp();
    const first = await masterFor(h, dataDir).load();
    expect(first).toMatchObject({ day: today(), source: 'downloaded', rows: 50, unsupported: 0 });
    expect(first.badRows).toEqual({ count: 0, first: [] });
    expect(first.instruments).toHaveLength(50);
    expect(first.instruments.find((i) => i.tradingSymbol === 'RELIANCE')).toMatchObject({
      token: '2885',
      instrumentType: 'EQ',
      segment: 'NSE',
      exchange: 'NSE',
    });
    expect(await readdir(join(dataDir, 'instruments'))).toEqual([`scriptmaster-${today()}.csv`]);
    expect(h.metrics.value('external_api_calls_total', { endpoint: 'scriptmaster', status: '200' })).toBe(1);

    // A second load, even by a new instance (a restart), reads today's copy: no second download.
    const again = await masterFor(h, dataDir).load();
    expect(again).toMatchObject({ day: today(), source: 'cached', rows: 50 });
    expect(again.instruments).toEqual(first.instruments);
    expect(masterCalls(h)).toBe(1);

    // The daily refresh asks for a fresh copy: downloaded again, still one file.
    const fresh = await masterFor(h, dataDir).load({ fresh: true });
    expect(fresh).toMatchObject({ day: today(), source: 'downloaded', rows: 50 });
    expect(masterCalls(h)).toBe(2);
    expect(await readdir(join(dataDir, 'instruments'))).toEqual([`scriptmaster-${today()}.csv`]);
  });

  it('falls back to the last good copy when the download fails, with a warning', async () => {
    const { h, dataDir } = await setUp();
    await masterFor(h, dataDir).load();
    await h.sim.close();
    const tomorrow = new ManualClock(epochMs(systemClock.now() + MS_PER_DAY));
    const snapshot = await masterFor(h, dataDir, tomorrow).load();
    expect(snapshot).toMatchObject({ day: today(), source: 'cached', rows: 50 });
    const warning = h.logger.records.find((e) => e.message.startsWith('Instrument master download failed'));
    expect(warning?.fields).toMatchObject({ copyOf: today() });
  });

  it('fails clearly when the download fails and there is no copy', async () => {
    const { h, dataDir } = await setUp();
    await h.sim.close();
    const load = masterFor(h, dataDir).load();
    await expect(load).rejects.toBeInstanceOf(InstrumentMasterUnavailable);
    await expect(load).rejects.toThrow(/the download failed \(.*\) and there is no copy in .*instruments/);
  });

  it('downloads again when today’s copy on disk is unreadable', async () => {
    const { h, dataDir } = await setUp();
    await masterFor(h, dataDir).load();
    // Today's copy is damaged on disk: it is downloaded again, and the good download kept.
    await writeFile(join(dataDir, 'instruments', `scriptmaster-${today()}.csv`), 'garbage\n');
    const snapshot = await masterFor(h, dataDir).load();
    expect(snapshot).toMatchObject({ source: 'downloaded', rows: 50 });
    expect(masterCalls(h)).toBe(2);
  });

  it('reads a master the broker sends as a gzip file; a download that is no master never replaces the good copy', async () => {
    const { h, dataDir } = await setUp();
    let answer: 'gzip' | 'garbage' = 'gzip';
    // The real simulator behind a fetch that rewrites the master's body as this test asks.
    const rewriting = (async (input: string | URL | Request, init?: RequestInit) => {
      const response = await fetch(input, init);
      const body = Buffer.from(await response.arrayBuffer());
      if (answer === 'gzip')
        return new Response(gzipSync(body), { headers: { 'content-type': 'application/octet-stream' } });
      return new Response('Service temporarily down for maintenance\n', {
        headers: { 'content-type': 'text/plain' },
      });
    }) as typeof fetch;
    const client = new MstockHttpClient({
      apiUrl: h.sim.url,
      requestTimeoutMs: 5000,
      metrics: h.metrics,
      masker: new SecretMasker(),
      fetch: rewriting,
    });
    const master = new MstockInstrumentMaster({
      client,
      session: h.session,
      dataDir,
      clock: systemClock,
      logger: h.logger,
    });
    const zipped = await master.load();
    expect(zipped).toMatchObject({ source: 'downloaded', rows: 50 });
    expect(zipped.instruments).toHaveLength(50);

    answer = 'garbage';
    const kept = await master.load({ fresh: true });
    expect(kept).toMatchObject({ source: 'cached', rows: 50, day: today() });
    const warning = h.logger.records.find((e) => e.message.startsWith('Instrument master download failed'));
    expect(String(warning?.fields['error'])).toContain('not a scriptmaster header');
    expect(await readdir(join(dataDir, 'instruments'))).toEqual([`scriptmaster-${today()}.csv`]);
    expect((await masterFor(h, dataDir).load()).instruments).toEqual(zipped.instruments);
  });

  it('reads the large universe (thousands of rows) and a query selects each underlying’s nearest options', async () => {
    const { h, dataDir } = await setUp({ sim: { universe: 'large' } });
    const snapshot = await masterFor(h, dataDir).load();
    expect(snapshot.rows).toBeGreaterThanOrEqual(5000);
    expect(snapshot.badRows.count).toBe(0);
    expect(snapshot.instruments.length + snapshot.unsupported).toBe(snapshot.rows);
    const query = parseInstrumentQuery('segment=NFO-OPT name=NIFTY expiry=nearest');
    if (E.isLeft(query)) throw new Error('the query should parse');
    const selected = selectInstruments(query.right, snapshot.instruments, today());
    expect(selected.length).toBeGreaterThan(10);
    const expiries = new Set(selected.map((i) => i.expiry));
    expect(expiries.size).toBe(1);
    const [expiry] = [...expiries];
    expect(expiry! >= today()).toBe(true);
    const allNiftyOptions = snapshot.instruments.filter((i) => i.name === 'NIFTY' && i.segment === 'NFO-OPT');
    expect(
      allNiftyOptions.every((i) => i.expiry === undefined || i.expiry < today() || i.expiry >= expiry!),
    ).toBe(true);
    expect(selected.every((i) => i.name === 'NIFTY' && i.segment === 'NFO-OPT')).toBe(true);
  });
});
