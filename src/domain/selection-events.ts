import type { Exchange, Instrument, InstrumentToken } from './instrument.ts';
import type { SelectionChange } from './instrument-selection.ts';
import type { IstDate } from './ist.ts';
import type { EpochMs } from './units.ts';

/** At most this many instruments are listed per side of one event; the counts always cover all. */
export const MAX_LISTED_PER_EVENT = 1000;

/** Why the selection was evaluated: the service's start, the daily refresh, or an operator's command. */
export type SelectionReason = 'start' | 'daily-refresh' | 'command';

export interface SelectedInstrument {
  readonly token: InstrumentToken;
  readonly symbol: string;
  readonly exchange: Exchange;
}

/**
 * What a selection leaves on record (event log stream `selection`): one `InstrumentsSelected` per
 * evaluation that changed what is followed (and one at each start), with the master's day it was
 * evaluated on and what came and went.
 */
export interface SelectionEvent {
  readonly type: 'InstrumentsSelected';
  readonly data: {
    readonly reason: SelectionReason;
    /** INSTRUMENTS_QUERY, or the instrument file's name when no query is set. */
    readonly query: string;
    /** The IST day of the instrument master the query was evaluated on. */
    readonly masterDay: IstDate;
    readonly selected: number;
    readonly addedCount: number;
    readonly removedCount: number;
    /** The first MAX_LISTED_PER_EVENT of each side. */
    readonly added: readonly SelectedInstrument[];
    readonly removed: readonly SelectedInstrument[];
    readonly at: EpochMs;
  };
}

const listed = (instruments: readonly Instrument[]): SelectedInstrument[] =>
  instruments
    .slice(0, MAX_LISTED_PER_EVENT)
    .map((i) => ({ token: i.token, symbol: i.symbol, exchange: i.exchange }));

export const instrumentsSelected = (
  source: {
    readonly reason: SelectionReason;
    readonly query: string;
    readonly masterDay: IstDate;
    readonly selected: number;
  },
  change: SelectionChange,
  at: EpochMs,
): SelectionEvent => ({
  type: 'InstrumentsSelected',
  data: {
    ...source,
    addedCount: change.added.length,
    removedCount: change.removed.length,
    added: listed(change.added),
    removed: listed(change.removed),
    at,
  },
});
