import type { Tick } from '../../domain/tick.ts';
import type { QuarantineReason } from '../../domain/tick-validation.ts';
import type { ControlRecord } from '../record-publisher.ts';
import { encodeTick } from '../tick-sink/tick-wire.ts';

/**
 * The quarantine topic's schema version (docs/schemas/market_ticks_quarantine.v1.schema.json). Its
 * `tick` is the `market_ticks` form, so a bump of the tick's version bumps this one too.
 */
export const QUARANTINE_SCHEMA_VERSION = 1;

/** A quarantine record's value: the reason and the tick in its `market_ticks` JSON form. */
export const quarantineRecord = (reason: QuarantineReason, tick: Tick): ControlRecord => ({
  key: tick.token,
  value: `{"reason":${JSON.stringify(reason)},"tick":${encodeTick(tick)}}`,
  schemaVersion: QUARANTINE_SCHEMA_VERSION,
});
