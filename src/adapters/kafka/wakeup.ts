/**
 * Lets one loop sleep until something changes. A `notify` while nobody waits is kept, so the next
 * `wait` returns at once and the loop looks again: no wake-up is lost.
 */
export class Wakeup {
  private waiter: (() => void) | undefined;
  private pending = false;

  notify(): void {
    const waiter = this.waiter;
    if (waiter === undefined) {
      this.pending = true;
      return;
    }
    this.waiter = undefined;
    waiter();
  }

  /** Resolves on the next `notify`, or after `ms` when given. */
  wait(ms?: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        if (this.waiter === done) this.waiter = undefined;
        resolve();
      };
      if (ms !== undefined) timer = setTimeout(done, ms);
      this.waiter = done;
    });
  }
}
