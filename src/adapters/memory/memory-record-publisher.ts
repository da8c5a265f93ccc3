import type { ControlRecord, RecordPublisher } from '../../ports/record-publisher.ts';

/** Records kept in a list, for tests; `failNext` makes the next publishes reject, as an outage would. */
export class MemoryRecordPublisher implements RecordPublisher {
  readonly records: ControlRecord[] = [];
  private failures = 0;

  publish(records: readonly ControlRecord[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new Error('memory publisher: refused'));
    }
    this.records.push(...records);
    return Promise.resolve();
  }

  failNext(count: number): void {
    this.failures = count;
  }

  /** The values, parsed, for assertions. */
  values(): unknown[] {
    return this.records.map((r) => JSON.parse(r.value) as unknown);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
