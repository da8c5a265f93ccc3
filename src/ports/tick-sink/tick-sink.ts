import type { ServiceIdentifier } from 'inversify';
import type { Tick } from '../../domain/tick.ts';

/**
 * Where accepted ticks go. `publish` resolves once the batch is durable: acknowledged by the
 * destination, or written to a local journal that will be drained to it. Ticks of one token keep
 * the order in which they were published. A rejection means the batch was not accepted.
 */
export interface TickSink {
  publish(batch: readonly Tick[]): Promise<void>;
  /** Resolves when everything published so far has reached the destination itself. */
  flush(): Promise<void>;
  /** Stops taking ticks, flushes what it can, and releases connections. */
  close(): Promise<void>;
}
export const TickSinkId: ServiceIdentifier<TickSink> = Symbol.for('tickflow.TickSink');
