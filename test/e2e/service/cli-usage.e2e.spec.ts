import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTickflow } from '../../support/service-process.ts';

// Everything points at addresses nothing answers on (TEST-NET-1, RFC 5737): a command that got
// past its flags would hang on them or fail with 1, never exit 2 with the usage lines alone.
const unreachable = {
  MSTOCK_USER: 'u',
  MSTOCK_PASS: 'p',
  MSTOCK_API_KEY: 'k',
  MSTOCK_TOTP_SECRET: 'JBSWY3DPEHPK3PXP',
  MSTOCK_API_URL: 'http://192.0.2.1:9443',
  MSTOCK_WS_URL: 'ws://192.0.2.1:9443',
  KAFKA_BROKER: '192.0.2.1:9092',
  REDIS_URL: 'redis://192.0.2.1:6379',
  METRICS_PORT: '0',
};
// A hang guard, not a performance figure: a command that ignored the flag would wait far longer.
const HANG_GUARD_MS = 30_000;

const run = async (args: readonly string[], env: Record<string, string> = unreachable) => {
  const p = startTickflow(args, env);
  const code = await p.exited();
  return { code, output: p.output() };
};

const fixture = resolve('test/fixtures/sessions/simulator-seed1-2025-11-20.tfrec');

describe('tickflow refuses a flag it does not know, before connecting anywhere', () => {
  it.each([
    [['live', '--check-confg'], '--check-confg'],
    [['live', '--bogus'], '--bogus'],
    [['demo', '--bogus'], '--bogus'],
    [['record', '--bogus'], '--bogus'],
    [['backfill', '--bogus'], '--bogus'],
    [['replay', fixture, '--sink', 'stdout', '--bogus'], '--bogus'],
  ])(
    'tickflow %j: exit 2, naming the flag and pointing at --help',
    async (args, flag) => {
      const { code, output } = await run(args);
      expect(code).toBe(2);
      const command = args[0] ?? '';
      expect(output).toBe(`tickflow ${command}: unknown option ${flag}\nSee tickflow ${command} --help\n`);
    },
    HANG_GUARD_MS,
  );

  it(
    'a flag without its value is refused too',
    async () => {
      const { code, output } = await run(['demo', '--duration']);
      expect(code).toBe(2);
      expect(output).toContain('tickflow demo: --duration needs a value');
    },
    HANG_GUARD_MS,
  );

  it(
    'simulate refuses one as well',
    async () => {
      const { code, output } = await run(['simulate', '--bogus']);
      expect(code).toBe(2);
      expect(output).toContain('--bogus');
    },
    HANG_GUARD_MS,
  );
});

describe('help and version', () => {
  it('tickflow help live prints the help of live', async () => {
    const { code, output } = await run(['help', 'live']);
    expect(code).toBe(0);
    expect(output.startsWith('tickflow live [--check-config]\n')).toBe(true);
  });

  it('tickflow --version and tickflow version print the package version', async () => {
    const manifest: unknown = JSON.parse(readFileSync('package.json', 'utf8'));
    const version = (manifest as { version: string }).version;
    expect(await run(['--version'])).toEqual({ code: 0, output: `${version}\n` });
    expect(await run(['version'])).toEqual({ code: 0, output: `${version}\n` });
  });
});

describe('tickflow live --check-config', () => {
  it(
    'prints every setting as the run uses it: URL and SASL passwords masked, KAFKA_* and SINK_* included, folders absolute',
    async () => {
      const { code, output } = await run(['live', '--check-config'], {
        ...unreachable,
        REDIS_URL: 'redis://ops:R3dis-Secret@192.0.2.1:6379',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD: 'K4fka-Secret',
        DATA_DIR: 'relative-data',
      });
      expect(code).toBe(0);
      const lines = output.trim().split('\n');
      const dataDir = resolve('relative-data');
      expect(lines).toEqual(
        expect.arrayContaining([
          'REDIS_URL=redis://ops:****@192.0.2.1:6379',
          'KAFKA_SASL_PASSWORD=****',
          'KAFKA_SASL_USERNAME=svc',
          'KAFKA_BROKER=192.0.2.1:9092',
          'SINK_OVERFLOW_POLICY=block',
          `DATA_DIR=${dataDir}`,
          `EVENT_LOG_DIR=${dataDir}/events`,
          `SINK_JOURNAL_DIR=${dataDir}/tick-journal`,
        ]),
      );
      expect(output).not.toMatch(/R3dis-Secret|K4fka-Secret|JBSWY3DP/);
    },
    HANG_GUARD_MS,
  );

  it(
    'refuses a TOTP secret that is not base32, naming the variable, never printing it',
    async () => {
      const { code, output } = await run(['live', '--check-config'], {
        ...unreachable,
        MSTOCK_TOTP_SECRET: 'NOT-BASE32-1890',
      });
      expect(code).toBe(2);
      expect(output).toMatch(/^tickflow live: MSTOCK_TOTP_SECRET: expected base32 /);
      expect(output).not.toContain('1890');
    },
    HANG_GUARD_MS,
  );
});

describe('a closed stdout', () => {
  it(
    'ends `tickflow replay ... --sink stdout` quietly, exit 0, when its reader goes away',
    async () => {
      const p = startTickflow(['replay', fixture, '--sink', 'stdout'], {});
      const stdout = p.child.stdout;
      if (stdout === null) throw new Error('no stdout');
      // Like `| head -1`: read the first line, then close the pipe while the replay still writes.
      await p.waitForLine(/"token"/, HANG_GUARD_MS);
      stdout.destroy();
      expect(await p.exited()).toBe(0);
      expect(p.output()).not.toMatch(/EPIPE|Error|\[ERROR\]| {4}at /);
    },
    HANG_GUARD_MS,
  );
});
