import { describe, expect, it } from 'vitest';
import { EventLogCorrupted } from '../../../src/ports/event-log/event-log-errors.ts';
import { MemoryEventLog, MemoryEventStorage } from '../../../src/adapters/memory/memory-event-log.ts';
import { added, eventLogContract, TestEvent } from '../../contract/event-log.contract.ts';

eventLogContract('memory', () => {
  const storage = new MemoryEventStorage();
  return Promise.resolve({
    open: () => new MemoryEventLog(TestEvent, storage),
    cleanup: () => Promise.resolve(),
  });
});

describe('MemoryEventLog', () => {
  it('refuses a stored record that is not an event, naming the stream and version', async () => {
    const storage = new MemoryEventStorage();
    const log = new MemoryEventLog(TestEvent, storage);
    await log.append('s', [added(1)], 'no-stream');
    storage.streams.get('s')?.push('{"type":"Removed"}');
    const failure = log.read('s');
    await expect(failure).rejects.toBeInstanceOf(EventLogCorrupted);
    await expect(failure).rejects.toMatchObject({ where: 'memory:s', line: 2 });
  });

  it('takes a decode function instead of a codec', async () => {
    const log = new MemoryEventLog<number>((u) =>
      typeof u === 'number' ? { _tag: 'Right', right: u } : { _tag: 'Left', left: 'expected a number' },
    );
    await log.append('numbers', [1, 2], 'no-stream');
    expect((await log.read('numbers')).map((e) => e.event)).toEqual([1, 2]);
  });
});
