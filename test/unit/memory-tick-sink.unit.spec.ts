import { describe, expect, it } from 'vitest';
import { MemoryTickSink } from '../../src/adapters/memory/memory-tick-sink.ts';
import { contractTick, tickSinkContract } from '../contract/tick-sink.contract.ts';

tickSinkContract('memory', () => {
  const sink = new MemoryTickSink();
  return Promise.resolve({
    sink,
    readBack: () => Promise.resolve([...sink.ticks()]),
    dispose: () => sink.close(),
  });
});

describe('MemoryTickSink', () => {
  it('returns the ticks in publish order', async () => {
    const sink = new MemoryTickSink();
    await sink.publish([contractTick('26000', 2), contractTick('2885', 1)]);
    await sink.publish([contractTick('26000', 1)]);
    expect(sink.ticks().map((t) => `${t.token}/${t.seq}`)).toEqual(['26000/2', '2885/1', '26000/1']);
  });
});
