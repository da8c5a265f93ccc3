/**
 * Work items done one at a time, in the order given, until stopped. `stop` aborts the item in
 * hand through its signal and waits for it to return. An item that throws is a bug in the stage,
 * not a failed chunk (those are reported as messages): it goes to `onCrash` and the queue stops.
 */
export class StageWorkQueue<T> {
  private readonly items: T[] = [];
  private readonly doItem: (item: T, signal: AbortSignal) => Promise<void>;
  private readonly onCrash: (error: unknown) => void;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(doItem: (item: T, signal: AbortSignal) => Promise<void>, onCrash: (error: unknown) => void) {
    this.doItem = doItem;
    this.onCrash = onCrash;
  }

  push(items: readonly T[]): void {
    if (this.abort.signal.aborted || items.length === 0) return;
    this.items.push(...items);
    if (this.running === undefined) this.running = this.drain();
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('stage stopping'));
    this.items.length = 0;
    await this.running;
  }

  private async drain(): Promise<void> {
    // Yield first, so `running` is set before this can finish.
    await Promise.resolve();
    try {
      for (let item = this.items.shift(); item !== undefined; item = this.items.shift()) {
        if (this.abort.signal.aborted) return;
        await this.doItem(item, this.abort.signal);
      }
    } catch (e) {
      this.abort.abort(e);
      this.items.length = 0;
      this.onCrash(e);
    } finally {
      this.running = undefined;
    }
  }
}
