import type { FeedGap } from '../../domain/feed-events.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter } from '../../ports/metrics.ts';
import type { FreshnessMonitor } from '../trust/freshness-monitor.ts';
import type { SubscriptionWatch } from '../trust/subscription-watch.ts';
import type { Pass, Stage } from './live-message.ts';

/**
 * Subscriptions as intent (subscription-watch.ts), before the screen: any packet, valid or not,
 * proves a subscription. On each beat it asks the feed again for what showed nothing.
 */
export const subscriptionStage = (watch: SubscriptionWatch): Stage => ({
  name: 'subscriptions',
  connect: (next) => (message) => {
    switch (message.kind) {
      case 'ticks':
        watch.saw(message.ticks);
        break;
      case 'connected':
      case 'disconnected':
        watch.observe(message);
        break;
      case 'beat':
        watch.check();
        break;
      case 'instruments':
        watch.follow(message.added, message.removed);
        break;
      case 'gap':
      case 'reconciled':
        break;
    }
    return next(message);
  },
});

/**
 * Freshness (freshness-monitor.ts) over the ticks that passed the screen. A silence it finds is a
 * `gap` message passed down the path, ahead of the message that revealed it. On each beat, a feed
 * mute for `muteAfterMs` in the session has its quiet connections replaced by the feed.
 */
export class FreshnessStage implements Stage {
  readonly name = 'freshness';
  readonly monitor: FreshnessMonitor;
  private next: Pass = () => undefined;
  private readonly deps: {
    readonly logger: Logger;
    readonly muteReplacements: Counter;
    /** The feed's `replaceQuietConnections`; false when the feed cannot. */
    readonly replaceQuiet: (quietForMs: number) => boolean;
  };
  private readonly muteAfterMs: number;

  /** `makeMonitor` gets the function that passes a found gap on down the path. */
  constructor(
    makeMonitor: (onGap: (gap: FeedGap) => void) => FreshnessMonitor,
    deps: FreshnessStage['deps'],
    settings: { readonly muteAfterMs: number },
  ) {
    this.monitor = makeMonitor((gap) => void this.next({ kind: 'gap', gap }));
    this.deps = deps;
    this.muteAfterMs = settings.muteAfterMs;
  }

  connect(next: Pass): Pass {
    this.next = next;
    return (message) => {
      switch (message.kind) {
        case 'ticks':
        case 'connected':
        case 'disconnected':
        case 'gap':
          this.monitor.observe(message);
          break;
        case 'beat':
          this.beat();
          break;
        case 'instruments':
          this.monitor.follow(message.added, message.removed);
          break;
        case 'reconciled':
          break;
      }
      return next(message);
    };
  }

  private beat(): void {
    this.monitor.check();
    // Heartbeats fool the feed's own watchdog, so silence is judged here. Every instrument silent
    // in the session: the connection is mute. Some silent while others tick: over several
    // sockets, one of them may be mute. Either way the feed replaces only a socket that has
    // shown no tick for `muteAfterMs`, never one that ticks.
    const freshness = this.monitor.freshness();
    const suspect =
      freshness === 'mute' || (freshness === 'flowing' && this.monitor.silentTokens().length > 0);
    if (suspect && this.deps.replaceQuiet(this.muteAfterMs)) {
      this.deps.muteReplacements.inc();
      this.deps.logger.warn(
        freshness === 'mute'
          ? 'No tick from the feed in the session; replacing the connection'
          : 'Instruments silent in the session; replacing the connection that shows no tick',
        { quietMs: this.muteAfterMs },
      );
    }
  }
}
