import type { Tick } from '../../domain/tick.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Metrics } from '../../ports/metrics.ts';
import type { TickSink } from '../../ports/tick-sink/tick-sink.ts';
import type { Pass, Stage } from './live-message.ts';

interface InFlight {
  done: boolean;
  promise: Promise<void>;
}

/**
 * The end of the live path: each frame's ticks go to the sink without awaiting each publish (order
 * is the sink's promise), with at most `maxInFlight` publishes open, so a slow sink slows the feed
 * loop instead of growing memory. Counts what the sink accepted and refused.
 */
export class SinkStage implements Stage {
  readonly name = 'sink';
  ticksAccepted = 0;
  ticksRejected = 0;
  private readonly deps: { readonly sink: TickSink; readonly logger: Logger };
  private readonly maxInFlight: number;
  private readonly counters: { readonly accepted: Counter; readonly rejected: Counter };
  private readonly inFlight: InFlight[] = [];

  constructor(
    deps: { readonly sink: TickSink; readonly logger: Logger; readonly metrics: Metrics },
    settings: { readonly maxInFlight: number },
  ) {
    const m = deps.metrics;
    this.counters = {
      accepted: m.counter(
        'ticks_accepted_total',
        'Ticks the sink accepted (durable: in Kafka or in the journal)',
      ),
      rejected: m.counter(
        'ticks_rejected_total',
        'Ticks the sink refused (see sink_ticks_dropped_total and the log)',
      ),
    };
    this.deps = deps;
    this.maxInFlight = settings.maxInFlight;
  }

  connect(next: Pass): Pass {
    return (message) => {
      if (message.kind === 'ticks' && message.ticks.length > 0) return this.forward(message.ticks);
      return next(message);
    };
  }

  /** Resolves when every publish handed to the sink so far has settled. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.inFlight.map((f) => f.promise));
  }

  private forward(ticks: readonly Tick[]): Promise<void> | undefined {
    const n = ticks.length;
    const publish = this.deps.sink.publish(ticks).then(
      () => {
        this.ticksAccepted += n;
        this.counters.accepted.inc(n);
      },
      (e: unknown) => {
        this.ticksRejected += n;
        this.counters.rejected.inc(n);
        this.deps.logger.error('Sink refused ticks', {
          ticks: n,
          error: e instanceof Error ? e.message : String(e),
        });
      },
    );
    const entry: InFlight = { done: false, promise: publish };
    entry.promise = publish.finally(() => {
      entry.done = true;
    });
    this.inFlight.push(entry);
    while (this.inFlight[0]?.done === true) this.inFlight.shift();
    if (this.inFlight.length >= this.maxInFlight) return this.inFlight.shift()?.promise;
    return undefined;
  }
}
