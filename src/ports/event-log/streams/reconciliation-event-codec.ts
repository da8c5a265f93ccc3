import * as t from 'io-ts';
import type { BarDifference } from '../../../domain/reconciliation.ts';
import type { ReconciliationEvent } from '../../../domain/reconciliation-events.ts';
import { CountC, EpochMsC, TokenC, TradingDayC } from '../../wire-codecs.ts';

const FieldC = t.keyof({ open: null, high: null, low: null, close: null });

const DifferenceC: t.Type<BarDifference, unknown> = t.union([
  t.type({ kind: t.literal('missing-live'), minute: EpochMsC, brokerVolume: CountC }),
  t.type({ kind: t.literal('missing-broker'), minute: EpochMsC }),
  t.type({ kind: t.literal('volume'), minute: EpochMsC, live: CountC, broker: CountC }),
  t.type({ kind: t.literal('ohlc'), minute: EpochMsC, field: FieldC }),
]);

/** How reconciliation events are stored in the event log (stream `reconciliation`), checked on read. */
export const ReconciliationEventC: t.Type<ReconciliationEvent, unknown> = t.union([
  t.type({
    type: t.literal('BarsDiffered'),
    data: t.type({
      day: TradingDayC,
      token: TokenC,
      brokerMinutes: CountC,
      missingLive: CountC,
      missingBroker: CountC,
      volumeDelta: CountC,
      ohlcMismatches: CountC,
      differences: t.readonlyArray(DifferenceC),
      at: EpochMsC,
    }),
  }),
  t.type({
    type: t.literal('SessionReconciled'),
    data: t.type({
      day: TradingDayC,
      instruments: CountC,
      differing: t.readonlyArray(TokenC),
      at: EpochMsC,
    }),
  }),
]);
