import type { Tick } from '../../domain/tick.ts';
import type { TickSink } from '../../ports/tick-sink/tick-sink.ts';

/**
 * A TickSink that keeps ticks in memory: for tests and the demo. Durable the moment it is stored,
 * so `publish` resolves at once; held to the Kafka sink's behaviour by the same contract suite.
 */
export class MemoryTickSink implements TickSink {
  private readonly stored: Tick[] = [];
  private closed = false;

  publish(batch: readonly Tick[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('tick sink is closed: publish refused'));
    for (const tick of batch) this.stored.push(tick);
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Every tick published, in publish order. */
  ticks(): readonly Tick[] {
    return this.stored;
  }
}
