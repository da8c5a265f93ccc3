import type { Tick } from '../../domain/tick.ts';
import type { Pass, Stage } from './live-message.ts';

/** Keeps each token's last tick on its way to the sink, for the demo's screen; live leaves it out. */
export class LatestTickStage implements Stage {
  readonly name = 'latest';
  readonly latest = new Map<string, Tick>();

  connect(next: Pass): Pass {
    return (message) => {
      if (message.kind === 'ticks') for (const t of message.ticks) this.latest.set(t.token, t);
      else if (message.kind === 'instruments') for (const t of message.removed) this.latest.delete(t);
      return next(message);
    };
  }
}
