import { open, type FileHandle } from 'node:fs/promises';
import { encodeTick } from '../../ports/tick-sink/tick-wire.ts';
import type { Tick } from '../../domain/tick.ts';
import type { TickSink } from '../../ports/tick-sink/tick-sink.ts';

/**
 * Appends ticks to a file as NDJSON, in the same JSON form as `market_ticks` values. A batch is
 * durable once written and fsync'd; batches are written one after another, so order is kept.
 * Used when no Kafka can be had (the demo) and by `replay --sink ndjson`.
 */
export class NdjsonTickSink implements TickSink {
  private readonly file: FileHandle;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(file: FileHandle) {
    this.file = file;
  }

  static async open(path: string): Promise<NdjsonTickSink> {
    return new NdjsonTickSink(await open(path, 'a'));
  }

  publish(batch: readonly Tick[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('tick sink is closed: publish refused'));
    let text = '';
    for (const tick of batch) text += `${encodeTick(tick)}\n`;
    const write = this.tail.then(async () => {
      await this.file.appendFile(text);
      await this.file.datasync();
    });
    this.tail = write.catch(() => undefined);
    return write;
  }

  flush(): Promise<void> {
    return this.tail;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await this.file.close();
  }
}
