import { packagedInstrumentFile } from '../../src/adapters/instruments/packaged-instrument-file.ts';
import {
  startSimulator as start,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../src/simulator/index.ts';

/**
 * The simulator as `tickflow simulate` starts it: quoting the Nifty 50 list shipped in the package,
 * unless a test names its own `instruments` or `instrumentFile`.
 */
export const startSimulator = (overrides: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> =>
  start({ instrumentFile: packagedInstrumentFile(), ...overrides });
