import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { DEMO_CREDENTIALS } from '../../../src/simulator/simulator-options.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { startTickflow, type ServiceProcess } from '../../support/service-process.ts';

let sim: RunningSimulator | undefined;
const folders: string[] = [];
const running: ServiceProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited();
  }
  await sim?.close();
  sim = undefined;
  for (const f of folders.splice(0)) await rm(f, { recursive: true, force: true });
});

const brokerEnv = async (s: RunningSimulator): Promise<Record<string, string>> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tickflow-instruments-'));
  folders.push(dataDir);
  return {
    MSTOCK_USER: DEMO_CREDENTIALS.user,
    MSTOCK_PASS: DEMO_CREDENTIALS.password,
    MSTOCK_API_KEY: DEMO_CREDENTIALS.apiKey,
    MSTOCK_TOTP_SECRET: DEMO_CREDENTIALS.totpSecret,
    MSTOCK_API_URL: s.url,
    MSTOCK_WS_URL: s.wsUrl,
    DATA_DIR: dataDir,
  };
};

/** `tickflow instruments <args>` run to its end. */
const instruments = async (args: readonly string[], env: Record<string, string>) => {
  const p = startTickflow(['instruments', ...args], env);
  running.push(p);
  const code = await p.exited();
  return { code, output: p.output() };
};

const logins = (s: RunningSimulator): number => s.stats().rest.counts['connect/login'] ?? 0;

describe('tickflow instruments, run as a user runs it', () => {
  it('prints the count, per segment, and the first rows; no secret in its output', async () => {
    sim = await startSimulator({ rate: 0 });
    const env = await brokerEnv(sim);
    const { code, output } = await instruments(
      ['--query', 'exchange=NSE instrument_type=EQ', '--limit', '3'],
      env,
    );
    expect(code, output).toBe(0);
    expect(output).toContain('Query: exchange=NSE instrument_type=EQ\n');
    expect(output).toContain(
      'Master: 50 rows (downloaded now): 50 instruments, 0 bad rows, 0 of other exchanges\n',
    );
    expect(output).toContain('Selected: 50 instruments\n  NSE: 50\nFirst 3:\n');
    const table = output
      .slice(output.indexOf('First 3:\n') + 'First 3:\n'.length)
      .trim()
      .split('\n');
    expect(table[0]).toMatch(/^\s*instrument_token\s+exchange\s+segment\s+tradingsymbol\s+name/);
    expect(table.filter((l) => /^\s+\d+\s+NSE\s+NSE\s+\S/.test(l))).toHaveLength(3);
    expect(output).toContain('tickflow live would follow 50 instruments over 1 socket(s) of at most 1000\n');
    for (const secret of [DEMO_CREDENTIALS.password, DEMO_CREDENTIALS.apiKey, DEMO_CREDENTIALS.totpSecret]) {
      expect(output).not.toContain(secret);
    }
    // Run again the same day: today's copy serves, the broker is not asked for the master again.
    const again = await instruments(['--query', 'tradingsymbol=RELIANCE,TCS', '--limit', '0'], env);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/Master: 50 rows \(copy of \d{4}-\d{2}-\d{2}\)/);
    expect(again.output).toContain('Selected: 2 instruments\n  NSE: 2\n');
    expect(again.output).not.toContain('instrument_token');
    expect(sim.stats().rest.counts['instruments/scriptmaster']).toBe(1);
  });

  it('--json against the large universe: NIFTY options of the nearest expiry', async () => {
    sim = await startSimulator({ rate: 0, universe: 'large' });
    const env = await brokerEnv(sim);
    const { code, output } = await instruments(
      ['--query', 'segment=NFO-OPT name=NIFTY expiry=nearest', '--json', '--limit', '5'],
      { ...env, LOG_LEVEL: 'warn' },
    );
    expect(code, output).toBe(0);
    const doc = JSON.parse(output) as {
      master: { rows: number; source: string };
      selected: number;
      perSegment: Record<string, number>;
      instruments: { name: string; segment: string; expiry: string }[];
      live: { instruments: number; sockets: number; fits: boolean; leftOutOnSecondExchange: number };
    };
    expect(doc.master.rows).toBeGreaterThanOrEqual(5000);
    expect(doc.master.source).toBe('downloaded');
    expect(doc.selected).toBeGreaterThan(10);
    expect(doc.perSegment).toEqual({ 'NFO-OPT': doc.selected });
    expect(doc.instruments).toHaveLength(5);
    expect(new Set(doc.instruments.map((i) => `${i.name} ${i.segment} ${i.expiry}`)).size).toBe(1);
    // What live would make of it: every option, one socket of the default 1000, no token on two exchanges.
    expect(doc.live).toMatchObject({
      instruments: doc.selected,
      sockets: 1,
      fits: true,
      leftOutOnSecondExchange: 0,
    });
  });

  it('a bad query exits 2 naming the problem, before logging in', async () => {
    sim = await startSimulator({ rate: 0 });
    const env = await brokerEnv(sim);
    const { code, output } = await instruments(['--query', 'segment=NFO-OPT expirey=nearest'], env);
    expect(code).toBe(2);
    expect(output).toContain(
      'tickflow instruments: bad query at 17: unknown column "expirey" (did you mean expiry?)',
    );
    expect(output).toContain(
      `tickflow instruments:   segment=NFO-OPT expirey=nearest\ntickflow instruments:   ${' '.repeat(16)}^\n`,
    );
    const empty = await instruments(['--query', ' ; '], env);
    expect(empty.code).toBe(2);
    expect(empty.output).toContain('bad query at 2: empty query before this ";"');
    expect(logins(sim)).toBe(0);
  });

  it('an unknown flag, a bad --limit or no query at all exits 2', async () => {
    sim = await startSimulator({ rate: 0 });
    const env = await brokerEnv(sim);
    const refusals: [readonly string[], string][] = [
      [['--query', 'exchange=NSE', '--limt', '3'], 'tickflow instruments: unknown option --limt'],
      [['--query', 'exchange=NSE', '--limit', 'many'], '--limit'],
      [[], 'give --query (or set INSTRUMENTS_QUERY)'],
    ];
    for (const [args, said] of refusals) {
      const { code, output } = await instruments(args, env);
      expect(code, output).toBe(2);
      expect(output).toContain(said);
    }
    expect(logins(sim)).toBe(0);
  });

  it('takes INSTRUMENTS_QUERY when no --query is given', async () => {
    sim = await startSimulator({ rate: 0 });
    const env = await brokerEnv(sim);
    const { code, output } = await instruments([], { ...env, INSTRUMENTS_QUERY: 'tradingsymbol=INFY' });
    expect(code, output).toBe(0);
    expect(output).toContain('Selected: 1 instruments');
  });

  it('exits 1 naming the cause when the broker cannot be reached and there is no copy', async () => {
    sim = await startSimulator({ rate: 0 });
    const env = await brokerEnv(sim);
    await sim.close();
    sim = undefined;
    const { code, output } = await instruments(['--query', 'exchange=NSE'], env);
    expect(code).toBe(1);
    expect(output).toMatch(
      /tickflow instruments: instrument master unavailable: the download failed \(.*\) and there is no copy in /,
    );
  });
});
