import type { InstrumentToken } from '../../domain/instrument.ts';
import type { Tick } from '../../domain/tick.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { Pass, Stage } from './live-message.ts';

/** Returns the ticks that may be published; it answers for the others itself (quarantine). */
export interface Screen {
  screen(ticks: readonly Tick[], receivedAt: EpochMs): readonly Tick[];
  /** Instruments added to or removed from the running path (a removed one's ticks no longer pass). */
  follow?(added: readonly InstrumentToken[], removed: readonly InstrumentToken[]): void;
}

/**
 * Checks each frame's ticks (src/app/trust/tick-screen.ts) and passes on only those that passed:
 * the same message when all did, a copy holding fewer otherwise. Every other message goes on as is.
 */
export class ScreenStage implements Stage {
  readonly name = 'screen';
  /** Ticks held back (they went to quarantine, not on down the path). */
  quarantined = 0;
  private readonly screen: Screen;

  constructor(screen: Screen) {
    this.screen = screen;
  }

  connect(next: Pass): Pass {
    return (message) => {
      if (message.kind === 'instruments') this.screen.follow?.(message.added, message.removed);
      if (message.kind !== 'ticks' || message.ticks.length === 0) return next(message);
      const passed = this.screen.screen(message.ticks, message.receivedAt);
      if (passed === message.ticks) return next(message);
      this.quarantined += message.ticks.length - passed.length;
      return next({ ...message, ticks: passed });
    };
  }
}
