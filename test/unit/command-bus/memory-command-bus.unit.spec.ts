import { describe, expect, it } from 'vitest';
import { MemoryCommandBus } from '../../../src/adapters/memory/memory-command-bus.ts';
import { commandBusContract, Inbox } from '../../contract/command-bus.contract.ts';

commandBusContract('memory', () => {
  const bus = new MemoryCommandBus();
  return Promise.resolve({ bus, publishRaw: (text) => bus.publishRaw(text), cleanup: () => bus.close() });
});

describe('MemoryCommandBus', () => {
  it('sends the same JSON text the Redis bus writes', async () => {
    const bus = new MemoryCommandBus();
    await bus.publish({ type: 'StartBackfill', days: 3 });
    expect(bus.sent).toEqual(['{"command":"START_BACKFILL","days":3}']);
  });

  it('keeps delivering to other subscribers when one throws, and records the failure', async () => {
    const bus = new MemoryCommandBus();
    const inbox = new Inbox();
    await bus.subscribe(() => {
      throw new Error('consumer bug');
    });
    await bus.subscribe(inbox.push);
    await bus.publishRaw('START_BACKFILL');
    await inbox.take(1);
    expect(bus.handlerErrors).toEqual([new Error('consumer bug')]);
  });
});
