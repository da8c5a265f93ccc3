import { DEMO_API_KEY, DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USER } from '../../src/simulator/index.ts';

/**
 * The environment a tickflow process the benchmarks start needs to log in to the simulator:
 * the simulator's demo credentials (public, the simulator prints them) and its REST address.
 * Nothing else of the benchmark's own environment is passed on.
 */
export const demoLoginEnv = (apiUrl: string): Record<string, string> => ({
  PATH: process.env['PATH'] ?? '',
  HOME: process.env['HOME'] ?? '',
  MSTOCK_USER: DEMO_USER,
  MSTOCK_PASS: DEMO_PASSWORD,
  MSTOCK_API_KEY: DEMO_API_KEY,
  MSTOCK_TOTP_SECRET: DEMO_TOTP_SECRET,
  MSTOCK_API_URL: apiUrl,
});
