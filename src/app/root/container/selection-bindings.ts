import type { Container } from 'inversify';
import { istDateOf } from '../../../domain/ist.ts';
import { ClockId, type Clock } from '../../../ports/clock.ts';
import { InstrumentMasterId, type InstrumentMaster } from '../../../ports/instrument-master.ts';
import { LoggerId, type Logger } from '../../../ports/logger/logger.ts';
import type { SelectionSource } from '../../live/selection-refresh.ts';
import { masterSelectionSource } from '../instrument-selection.ts';
import type { InstrumentChoice } from '../startup.ts';
import { SelectionSourceId } from './tokens.ts';

/** The fixed list as a selection that never changes (INSTRUMENTS_FILE, narrowed by INSTRUMENTS). */
const listSource = (choice: Extract<InstrumentChoice, { kind: 'list' }>, clock: Clock): SelectionSource => ({
  query: 'INSTRUMENTS_FILE',
  select: () => Promise.resolve({ masterDay: istDateOf(clock.now()), instruments: choice.instruments }),
});

/** What the live path follows, bound once: the fixed list, or INSTRUMENTS_QUERY on the broker's master. */
export const bindSelectionSource = (c: Container, choice: InstrumentChoice): void => {
  if (choice.kind === 'list') {
    c.bind(SelectionSourceId).toResolvedValue((clock: Clock) => listSource(choice, clock), [ClockId]);
    return;
  }
  c.bind(SelectionSourceId).toResolvedValue(
    (master: InstrumentMaster, clock: Clock, logger: Logger) =>
      masterSelectionSource(choice.query, master, clock, logger),
    [InstrumentMasterId, ClockId, LoggerId],
  );
};
