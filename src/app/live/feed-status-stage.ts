import type { EpochMs } from '../../domain/units.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Gauge, Metrics } from '../../ports/metrics.ts';
import type { LiveMessage, Pass, Stage } from './live-message.ts';

/**
 * The head of the live path: counts what the feed decoded and follows the connection
 * (`ticks_received_total`, `feed_connected`, `feed_reconnects_total`, `last_tick_age_seconds`
 * refreshed on each beat), and logs a disconnect. Passes every message on unchanged.
 */
export class FeedStatusStage implements Stage {
  readonly name = 'feed-status';
  connected = false;
  ticksReceived = 0;
  reconnects = 0;
  lastTickAt: EpochMs | undefined;
  private readonly logger: Logger;
  private readonly received: Counter;
  private readonly reconnectCounter: Counter;
  private readonly connectedGauge: Gauge;
  private readonly lastTickAge: Gauge;

  constructor(deps: { readonly logger: Logger; readonly metrics: Metrics }) {
    const m = deps.metrics;
    this.logger = deps.logger;
    this.received = m.counter('ticks_received_total', 'Ticks decoded from the feed');
    this.reconnectCounter = m.counter('feed_reconnects_total', 'Feed connections after the first');
    this.connectedGauge = m.gauge('feed_connected', '1 while the feed socket is connected');
    this.lastTickAge = m.gauge('last_tick_age_seconds', 'Seconds since the last tick was received');
  }

  connect(next: Pass): Pass {
    return (message) => {
      this.see(message);
      return next(message);
    };
  }

  /** The feed loop ended: the connection is gone whatever the feed last said. */
  ended(): void {
    this.setConnected(false);
  }

  private see(message: LiveMessage): void {
    switch (message.kind) {
      case 'ticks': {
        const n = message.ticks.length;
        if (n === 0) return;
        this.ticksReceived += n;
        this.received.inc(n);
        this.lastTickAt = message.receivedAt;
        return;
      }
      case 'connected':
        this.setConnected(true);
        if (message.attempt > 1) {
          this.reconnects += 1;
          this.reconnectCounter.inc();
        }
        return;
      case 'disconnected':
        this.setConnected(false);
        this.logger.warn('Feed disconnected', { reason: message.reason });
        return;
      case 'beat': {
        const last = this.lastTickAt;
        this.lastTickAge.set(last === undefined ? -1 : (message.at - last) / 1000);
        return;
      }
      case 'gap':
      case 'instruments':
      case 'reconciled':
        return;
    }
  }

  private setConnected(connected: boolean): void {
    this.connected = connected;
    this.connectedGauge.set(connected ? 1 : 0);
  }
}
