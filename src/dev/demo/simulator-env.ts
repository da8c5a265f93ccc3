import type { MstockCredentials } from '../../adapters/mstock/mstock-login.ts';
import { DEMO_CREDENTIALS } from '../../simulator/index.ts';

/**
 * The m.Stock settings that point tickflow at a running simulator with its demo account: what the
 * demo hands its backfill stage processes, and what tests give a service process.
 */
export const simulatorEnv = (sim: {
  readonly url: string;
  readonly wsUrl: string;
}): Record<string, string> => ({
  MSTOCK_USER: DEMO_CREDENTIALS.user,
  MSTOCK_PASS: DEMO_CREDENTIALS.password,
  MSTOCK_API_KEY: DEMO_CREDENTIALS.apiKey,
  MSTOCK_TOTP_SECRET: DEMO_CREDENTIALS.totpSecret,
  MSTOCK_API_URL: sim.url,
  MSTOCK_WS_URL: sim.wsUrl,
});

/** The simulator's demo account as the m.Stock adapters take credentials. */
export const simulatorCredentials: MstockCredentials = {
  username: DEMO_CREDENTIALS.user,
  password: DEMO_CREDENTIALS.password,
  apiKey: DEMO_CREDENTIALS.apiKey,
  totpSecret: DEMO_CREDENTIALS.totpSecret,
};
