import type { MinuteBar } from '../../domain/minute-bars.ts';
import type { ControlRecord } from '../record-publisher.ts';

/**
 * The candle topic's schema version (docs/schemas/market_candles.v1.schema.json). Adding an
 * optional field keeps it; removing or renaming a field, or changing a type or meaning, bumps it.
 */
export const CANDLE_SCHEMA_VERSION = 1;

/** A 1-minute bar built from live ticks, keyed by its token. */
export const candleRecord = (bar: MinuteBar): ControlRecord => ({
  key: bar.token,
  value: JSON.stringify({
    token: bar.token,
    start: bar.start,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: bar.volume,
    ticks: bar.ticks,
    complete: bar.complete,
    source: 'live',
  }),
  schemaVersion: CANDLE_SCHEMA_VERSION,
});
