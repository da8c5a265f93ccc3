import { either as E } from 'fp-ts';
import {
  credentialsFromEnv,
  parseSimulatorArgs,
  SIMULATOR_USAGE,
  startSimulator,
} from '../../simulator/index.ts';
import type { Command } from './command.ts';

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run the m.Stock simulator (REST and WebSocket on one port)',
  help: `${SIMULATOR_USAGE}

Credentials are read from MSTOCK_USER, MSTOCK_PASS, MSTOCK_API_KEY, MSTOCK_TOTP_SECRET and MSTOCK_OTP,
the variables the adapter reads; demo values are used and printed for those unset. Point tickflow at
it with MSTOCK_API_URL=http://127.0.0.1:<port> and MSTOCK_WS_URL=ws://127.0.0.1:<port>.
Faults: POST /sim/faults; what it sent and received: GET /sim/stats.`,
  run: async (args) => {
    const parsed = parseSimulatorArgs(args);
    if (E.isLeft(parsed)) {
      process.stderr.write(`tickflow simulate: ${parsed.left.message}\n`);
      return 2;
    }
    const { credentials, demo } = credentialsFromEnv(process.env);
    const sim = await startSimulator({ port: 9443, ...parsed.right, credentials });
    process.stdout.write(`[INFO] m.Stock simulator listening: REST ${sim.url}, WebSocket ${sim.wsUrl}\n`);
    if (demo.length > 0) {
      process.stdout.write(
        `[INFO] demo credentials for ${demo.join(', ')}: user=${credentials.user} password=${credentials.password} api key=${credentials.apiKey} TOTP secret=${credentials.totpSecret} OTP=${credentials.otp}\n`,
      );
    }
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    await sim.close();
    return 0;
  },
};
