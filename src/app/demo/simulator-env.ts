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
