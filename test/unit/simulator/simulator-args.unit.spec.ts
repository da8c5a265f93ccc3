import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { parseSimulatorArgs } from '../../../src/simulator/simulator-args.ts';
import { credentialsFromEnv, DEMO_CREDENTIALS } from '../../../src/simulator/simulator-options.ts';

describe('simulator command-line flags', () => {
  it('refuses a universe it does not know, naming the flag', () => {
    expect(parseSimulatorArgs(['--universe', 'nifty500'])).toEqual(
      E.left({ kind: 'SimulatorArgsError', message: "--universe takes 'nifty50' or 'large'" }),
    );
    expect(parseSimulatorArgs(['--universe'])).toMatchObject(E.left({ message: /--universe/ }));
  });

  it('reads every flag', () => {
    expect(
      parseSimulatorArgs([
        '--port',
        '9443',
        '--rate',
        '200000',
        '--seed',
        '42',
        '--always-open',
        '--tick-time-zone',
        'utc',
        '--historical-rate',
        '0',
        '--full-200',
        '--index-48',
        '--single-session',
        '--host',
        '0.0.0.0',
        '--universe',
        'large',
      ]),
    ).toEqual(
      E.right({
        port: 9443,
        rate: 200_000,
        seed: 42,
        alwaysOpen: true,
        tickTimeZone: 'utc',
        historicalRatePerSecond: 0,
        fullEquityPacket: 'full200',
        fullIndexPacket: 'index48',
        singleSession: true,
        host: '0.0.0.0',
        universe: 'large',
      }),
    );
    expect(parseSimulatorArgs([])).toEqual(E.right({}));
  });

  it.each([
    [['--port', '70000']],
    [['--port']],
    [['--rate', '-5']],
    [['--rate', '1.5']],
    [['--tick-time-zone', 'ist+1']],
    [['--fast']],
  ])('refuses %j', (argv) => {
    expect(E.isLeft(parseSimulatorArgs(argv))).toBe(true);
  });
});

describe('simulator credentials from the environment', () => {
  it('takes what is set and demo values for the rest, naming them', () => {
    const { credentials, demo } = credentialsFromEnv({
      MSTOCK_USER: 'alice',
      MSTOCK_API_KEY: 'k',
      MSTOCK_OTP: '',
    });
    expect(credentials).toEqual({ ...DEMO_CREDENTIALS, user: 'alice', apiKey: 'k' });
    expect(demo).toEqual(['MSTOCK_PASS', 'MSTOCK_TOTP_SECRET', 'MSTOCK_OTP']);
  });
});
