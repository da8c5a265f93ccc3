import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../support/packaged-simulator.ts';
import { DEMO_CREDENTIALS } from '../../../src/simulator/simulator-options.ts';
import { startTickflow, type ServiceProcess } from '../../support/service-process.ts';
import { sdkMaster } from '../../support/sdk-master.ts';

/** Real-looking credentials in the environment of `tickflow simulate`: none may reach its output. */
const SECRETS = {
  MSTOCK_PASS: 'pass-S3cr3t-9f1c',
  MSTOCK_API_KEY: 'key-S3cr3t-77ab',
  MSTOCK_TOTP_SECRET: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
  MSTOCK_OTP: '987654',
};

const running: ServiceProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited();
  }
});

const simulate = (args: readonly string[], env: Record<string, string>): ServiceProcess => {
  const p = startTickflow(['simulate', ...args], env);
  running.push(p);
  return p;
};

/** Starts the simulator on a free port, waits for its start lines, then stops it with SIGTERM. */
const runToEnd = async (env: Record<string, string>): Promise<{ output: string; code: number | null }> => {
  const p = simulate(['--port', '0', '--rate', '0'], env);
  await p.waitForLine(/simulator listening/, 30_000);
  await p.waitForLine(/set in the environment|demo credentials/, 5_000);
  p.child.kill('SIGTERM');
  const code = await p.exited();
  return { output: p.output(), code };
};

describe('tickflow simulate: what it prints', () => {
  it('never prints the password, API key, TOTP secret or OTP set in the environment', async () => {
    const { output, code } = await runToEnd(SECRETS);
    expect(code).toBe(0);
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(output, name).not.toContain(value);
    }
    expect(output).toContain(
      'MSTOCK_PASS, MSTOCK_API_KEY, MSTOCK_TOTP_SECRET, MSTOCK_OTP set in the environment',
    );
    // MSTOCK_USER was unset: its demo value is the one printed.
    expect(output).toContain(`demo credentials it accepts: user=${DEMO_CREDENTIALS.user}\n`);
  });

  it('prints the demo credentials it accepts when none are set', async () => {
    const { output, code } = await runToEnd({});
    expect(code).toBe(0);
    expect(output).toContain(
      `password=${DEMO_CREDENTIALS.password} api key=${DEMO_CREDENTIALS.apiKey} ` +
        `TOTP secret=${DEMO_CREDENTIALS.totpSecret} OTP=${DEMO_CREDENTIALS.otp}`,
    );
  });

  it('stops with exit 2 on an unknown flag, before listening', async () => {
    const p = simulate(['--bogus'], SECRETS);
    expect(await p.exited()).toBe(2);
    expect(p.output()).toContain("unknown option '--bogus'");
    expect(p.output()).not.toContain('listening');
  });

  it('says in one line that the port is taken, exit 1, no stack trace', async () => {
    const holder = await startSimulator({ port: 0, rate: 0 });
    try {
      const p = simulate(['--port', String(holder.port)], SECRETS);
      expect(await p.exited()).toBe(1);
      expect(p.output()).toMatch(/^tickflow simulate: cannot start: .*EADDRINUSE.*\n$/);
    } finally {
      await holder.close();
    }
  });

  it('refuses a universe it does not know, naming the flag (exit 2)', async () => {
    const p = simulate(['--universe', 'nifty500'], {});
    expect(await p.exited()).toBe(2);
    expect(p.output()).toContain("--universe takes 'nifty50' or 'large'");
  });
});

describe('tickflow simulate --universe large', () => {
  it('serves the large master to the official SDK', async () => {
    const p = simulate(['--port', '0', '--rate', '0', '--universe', 'large'], {});
    const line = await p.waitForLine(/simulator listening: REST (\S+),/, 30_000);
    const url = /REST (\S+),/.exec(line)?.[1] ?? '';
    const rows = await sdkMaster(url, DEMO_CREDENTIALS);
    expect(rows.length).toBeGreaterThanOrEqual(5_000);
    expect(new Set(rows.map((r) => r.segment))).toEqual(
      new Set(['NSE', 'BSE', 'INDICES', 'NFO-FUT', 'NFO-OPT']),
    );
    p.child.kill('SIGTERM');
    expect(await p.exited()).toBe(0);
  });
});
