import type { CandleInterval } from './candle.ts';
import type { InstrumentToken } from './instrument.ts';

/** What an operator can ask of a running service. */
export type SystemCommand = {
  readonly type: 'StartBackfill';
  readonly id?: string;
  readonly days?: number;
  readonly tokens?: readonly InstrumentToken[];
  readonly interval?: CandleInterval;
};
