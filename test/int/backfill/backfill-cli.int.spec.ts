import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.ts';
import { runBackfillCli } from '../../../src/app/root/cli/backfill-command.ts';
import { epochMs } from '../../../src/domain/units.ts';
import { type RunningSimulator } from '../../../src/simulator/start-simulator.ts';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { readTopic } from '../kafka/fixtures/read-topic.ts';
import { backfillEnv } from './backfill-env.ts';

const SATURDAY = epochMs(Date.parse('2026-11-21T10:00:00+05:30'));

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ rate: 0, historicalRatePerSecond: 0 });
});
afterAll(async () => {
  await sim.close();
});

const capture = (isTTY = false) => {
  const text: string[] = [];
  return { write: (s: string) => text.push(s), isTTY, text: () => text.join('') };
};

describe('tickflow backfill', () => {
  it('runs one backfill in the foreground with plain progress lines, and exits 0', async () => {
    const env = backfillEnv(sim, inject('kafkaBroker'), inject('redisUrl'));
    const out = capture();
    const err = capture();
    const io = { env, out, err, clock: new ManualClock(SATURDAY) };
    const code = await runBackfillCli(
      ['--days', '2', '--tokens=2885,26000', '--interval', 'minute', '--id', 'cli-1'],
      io,
    );

    expect({ code, err: err.text() }).toMatchObject({ code: 0 });
    const lines = out.text().split('\n');
    expect(lines[0]).toBe('Backfill cli-1: starting, 2 instrument(s), 2026-11-19 to 2026-11-20, minute bars');
    expect(lines).toContain('Backfill cli-1: 2/2 chunks, 1500 bars');
    expect(lines).toContain('Backfill cli-1 done: 1500 bars published.');
    expect(
      new Set((await readTopic(inject('kafkaBroker'), env['TICK_TOPIC']!)).map((m) => m.headers['tick-id']))
        .size,
    ).toBe(1500);

    // The same id again: already done, nothing fetched.
    const before = sim.stats().rest.counts['historical'];
    const again = capture();
    expect(
      await runBackfillCli(['--days', '2', '--tokens', '2885,26000', '--id', 'cli-1'], { ...io, out: again }),
    ).toBe(0);
    expect(again.text()).toBe('Backfill cli-1 has already finished; nothing to do.\n');
    expect(sim.stats().rest.counts['historical']).toBe(before);
  });

  it('refuses bad arguments and settings with exit code 2, naming each problem', async () => {
    const env = backfillEnv(sim, inject('kafkaBroker'), inject('redisUrl'));
    const err = capture();
    expect(
      await runBackfillCli(['--days', '0', '--tokens', '2885,abc', '--interval', 'week', '--frobnicate'], {
        env,
        out: capture(),
        err,
      }),
    ).toBe(2);
    expect(err.text()).toContain('--days: expected an integer from 1 to 60 (got "0")');
    expect(err.text()).toContain('--tokens: not instrument tokens: abc');
    expect(err.text()).toContain('--interval: expected one of minute|');
    expect(err.text()).toContain('unknown option --frobnicate');

    const noCredentials = { ...env, MSTOCK_USER: '' };
    const err2 = capture();
    expect(await runBackfillCli([], { env: noCredentials, out: capture(), err: err2 })).toBe(2);
    expect(err2.text()).toContain('MSTOCK_USER: missing');
  });
});
