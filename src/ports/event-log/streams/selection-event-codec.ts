import * as t from 'io-ts';
import type { SelectionEvent } from '../../../domain/selection-events.ts';
import { CountC, EpochMsC, ExchangeC, IstDateC, TokenC } from '../../wire-codecs.ts';

const SelectedC = t.type({ token: TokenC, symbol: t.string, exchange: ExchangeC });

/** How selection events are stored in the event log (stream `selection`), checked on read. */
export const SelectionEventC: t.Type<SelectionEvent, unknown> = t.type({
  type: t.literal('InstrumentsSelected'),
  data: t.type({
    reason: t.keyof({ start: null, 'daily-refresh': null, command: null }),
    query: t.string,
    masterDay: IstDateC,
    selected: CountC,
    addedCount: CountC,
    removedCount: CountC,
    added: t.readonlyArray(SelectedC),
    removed: t.readonlyArray(SelectedC),
    at: EpochMsC,
  }),
});
