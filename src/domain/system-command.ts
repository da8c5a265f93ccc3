import type { CandleInterval } from './candle.ts';
import type { InstrumentToken } from './instrument.ts';

/** Backfill these days of candles (defaults from the settings for what is left out). */
export interface StartBackfill {
  readonly type: 'StartBackfill';
  readonly id?: string;
  readonly days?: number;
  readonly tokens?: readonly InstrumentToken[];
  readonly interval?: CandleInterval;
}

/** Evaluate INSTRUMENTS_QUERY again on a freshly downloaded instrument master, now. */
export interface RefreshInstruments {
  readonly type: 'RefreshInstruments';
}

/** What an operator can ask of a running service. */
export type SystemCommand = StartBackfill | RefreshInstruments;
