/** The m.Stock simulator as a library: start it, read its stats, switch faults on. */
export { startSimulator, type RunningSimulator } from './start-simulator.ts';
export {
  credentialsFromEnv,
  DEFAULT_SIMULATOR_OPTIONS,
  DEMO_API_KEY,
  DEMO_CREDENTIALS,
  DEMO_OTP,
  DEMO_PASSWORD,
  DEMO_TOTP_SECRET,
  DEMO_USER,
  type CandleOffsetFormat,
  type SimulatorCredentials,
  type SimulatorInstruments,
  type SimulatorOptions,
  type SimulatorUniverse,
  type TotpTimeSource,
} from './simulator-options.ts';
export { credentialsNotice } from './credentials-notice.ts';
export { parseSimulatorArgs, SIMULATOR_USAGE, type SimulatorArgsError } from './simulator-args.ts';
export type { DropConnectionResult, SimulatorFaults } from './simulator-faults.ts';
export type { ExpiryRoll } from './sim-universe.ts';
export type { MasterRow } from './master-row.ts';
export {
  MALFORMED_FRAME_KINDS,
  type ActiveFaults,
  type HistoricalFaultAnswer,
  type MalformedFrameKind,
} from './fault-state.ts';
export type {
  ClientStats,
  ConnectionStats,
  RestRecord,
  SimulatorStats,
  TokenStats,
} from './simulator-stats.ts';
export { decodeInstrumentCsv, loadInstrumentFile, type SimInstrument } from './instrument-list.ts';
