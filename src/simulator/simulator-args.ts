import { either as E } from 'fp-ts';
import type { SimulatorOptions } from './simulator-options.ts';

export interface SimulatorArgsError {
  readonly kind: 'SimulatorArgsError';
  readonly message: string;
}

export const SIMULATOR_USAGE = `tickflow simulate [options]
  --port <n>              port for REST and WebSocket (default 9443 from the CLI; 0 = any free port)
  --host <addr>           address to listen on (default 127.0.0.1)
  --rate <ticks/s>        ticks per second across all instruments (default 50; 0 = none)
  --seed <n>              seed of the simulated market (default 1)
  --always-open           tick outside market hours too
  --universe <u>          'nifty50' (default: the Nifty 50 list) or 'large' (> 5,000 rows: NSE and
                          BSE equities, indices, NIFTY and BANKNIFTY futures and weekly options;
                          only subscribed instruments tick, --rate shared among them)
  --tick-time-zone <z>    'ist' or 'utc': how feed times count seconds since 1980 (default ist)
  --historical-rate <n>   historical requests per second before 429 (default 1; 0 = unlimited)
  --full-200              send 200-byte equity packets for full mode (default 184)
  --index-48              send 48-byte index packets for full mode (default 32)
  --single-session        a login ends the user's older session (its token refused, its feed closed)`;

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

const fail = (message: string): E.Either<SimulatorArgsError, never> =>
  E.left({ kind: 'SimulatorArgsError', message });

/** Reads the `tickflow simulate` flags into options; what is not given keeps its default. */
export const parseSimulatorArgs = (
  argv: readonly string[],
): E.Either<SimulatorArgsError, Partial<SimulatorOptions>> => {
  const out: Mutable<SimulatorOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    const value = (): string | undefined => argv[++i];
    const integer = (min: number, max: number): number | undefined => {
      const v = value();
      const n = v === undefined || !/^\d+$/.test(v) ? Number.NaN : Number(v);
      return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
    };
    switch (flag) {
      case '--port': {
        const n = integer(0, 65_535);
        if (n === undefined) return fail('--port takes a number from 0 to 65535');
        out.port = n;
        break;
      }
      case '--host': {
        const v = value();
        if (v === undefined || v === '') return fail('--host takes an address');
        out.host = v;
        break;
      }
      case '--rate': {
        const n = integer(0, 10_000_000);
        if (n === undefined) return fail('--rate takes a whole number of ticks per second');
        out.rate = n;
        break;
      }
      case '--seed': {
        const n = integer(0, 0xffffffff);
        if (n === undefined) return fail('--seed takes a whole number');
        out.seed = n;
        break;
      }
      case '--historical-rate': {
        const n = integer(0, 1_000_000);
        if (n === undefined) return fail('--historical-rate takes a whole number of requests per second');
        out.historicalRatePerSecond = n;
        break;
      }
      case '--tick-time-zone': {
        const v = value();
        if (v !== 'ist' && v !== 'utc') return fail("--tick-time-zone takes 'ist' or 'utc'");
        out.tickTimeZone = v;
        break;
      }
      case '--universe': {
        const v = value();
        if (v !== 'nifty50' && v !== 'large') return fail("--universe takes 'nifty50' or 'large'");
        out.universe = v;
        break;
      }
      case '--always-open':
        out.alwaysOpen = true;
        break;
      case '--full-200':
        out.fullEquityPacket = 'full200';
        break;
      case '--index-48':
        out.fullIndexPacket = 'index48';
        break;
      case '--single-session':
        out.singleSession = true;
        break;
      default:
        return fail(`unknown option '${flag}'\n${SIMULATOR_USAGE}`);
    }
  }
  return E.right(out);
};
