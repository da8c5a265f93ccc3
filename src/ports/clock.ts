import type { ServiceIdentifier } from 'inversify';
import type { EpochMs } from '../domain/units.ts';

/** The one place time enters the core. Tests and replay pass their own. */
export interface Clock {
  now(): EpochMs;
}
export const ClockId: ServiceIdentifier<Clock> = Symbol.for('tickflow.Clock');
