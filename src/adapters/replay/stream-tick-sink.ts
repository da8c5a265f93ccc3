import type { Writable } from 'node:stream';
import { encodeTick } from '../../ports/tick-sink/tick-wire.ts';
import type { Tick } from '../../domain/tick.ts';
import type { TickSink } from '../../ports/tick-sink/tick-sink.ts';

/**
 * Writes ticks as NDJSON (the `market_ticks` value form) to a stream such as stdout, for
 * `replay --sink stdout`. A batch counts as accepted once the stream has taken it; writes are
 * queued in order and the stream's own buffering gives the back-pressure. A stream that fails
 * (a closed pipe: `replay ... | head`) refuses every later batch instead of crashing the
 * process; `onBroken` lets the caller stop. Closing leaves the stream open: it is the caller's.
 */
export class StreamTickSink implements TickSink {
  private readonly out: Writable;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  private broken: Error | undefined;
  private readonly onError: (e: Error) => void;

  constructor(out: Writable, onBroken: (e: Error) => void = () => undefined) {
    this.out = out;
    this.onError = (e) => {
      this.broken ??= e;
      onBroken(e);
    };
    out.on('error', this.onError);
  }

  publish(batch: readonly Tick[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('tick sink is closed: publish refused'));
    if (this.broken !== undefined) return Promise.reject(this.broken);
    let text = '';
    for (const tick of batch) text += `${encodeTick(tick)}\n`;
    const write = new Promise<void>((resolve, reject) => {
      this.out.write(text, (e) => {
        if (e === undefined || e === null) resolve();
        else reject(e);
      });
    });
    this.tail = write.catch(() => undefined);
    return write;
  }

  flush(): Promise<void> {
    return this.tail;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    this.out.off('error', this.onError);
  }
}
