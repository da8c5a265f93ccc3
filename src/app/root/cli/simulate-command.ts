import { either as E } from 'fp-ts';
import {
  credentialsFromEnv,
  credentialsNotice,
  parseSimulatorArgs,
  SIMULATOR_USAGE,
  startSimulator,
  type RunningSimulator,
} from '../../../simulator/index.ts';
import { packagedInstrumentFile } from '../../../adapters/instruments/packaged-instrument-file.ts';
import type { Command } from './command.ts';

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run the m.Stock simulator (REST and WebSocket on one port)',
  help: `${SIMULATOR_USAGE}

The account it accepts comes from MSTOCK_USER, MSTOCK_PASS, MSTOCK_API_KEY, MSTOCK_TOTP_SECRET and
MSTOCK_OTP (the environment or .env), the variables tickflow live reads; for those unset it takes demo
values and prints them. Values that are set are accepted but never printed. Point tickflow at
it with MSTOCK_API_URL=http://127.0.0.1:<port> and MSTOCK_WS_URL=ws://127.0.0.1:<port>.
Faults: POST /sim/faults; what it sent and received: GET /sim/stats.`,
  run: async (args) => {
    const parsed = parseSimulatorArgs(args);
    if (E.isLeft(parsed)) {
      process.stderr.write(`tickflow simulate: ${parsed.left.message}\n`);
      return 2;
    }
    // Listen for the stop signals first: a SIGTERM sent as soon as the start lines appear must not
    // meet Node's default action (exit without closing).
    const stopRequested = new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    const { credentials, demo } = credentialsFromEnv(process.env);
    let sim: RunningSimulator;
    try {
      sim = await startSimulator({
        port: 9443,
        ...parsed.right,
        credentials,
        instrumentFile: packagedInstrumentFile(),
      });
    } catch (e) {
      // A busy port or an unreadable instrument list: one line, not a stack trace.
      process.stderr.write(
        `tickflow simulate: cannot start: ${e instanceof Error ? e.message : String(e)}\n`,
      );
      return 1;
    }
    process.stdout.write(`[INFO] m.Stock simulator listening: REST ${sim.url}, WebSocket ${sim.wsUrl}\n`);
    for (const line of credentialsNotice(credentials, demo)) process.stdout.write(`[INFO] ${line}\n`);
    await stopRequested;
    await sim.close();
    return 0;
  },
};
