import { describe, expect, it } from 'vitest';
import { FeedStatusMerge } from '../../../src/adapters/mstock/feed-status-merge.ts';
import { epochMs } from '../../../src/domain/units.ts';

const at = epochMs(1_700_000_000_000);

/** A stream of three sockets, all up on their first attempt. */
const threeUp = (): FeedStatusMerge => {
  const merge = new FeedStatusMerge();
  for (const n of [1, 2, 3]) merge.add(n, true);
  merge.up(1, 1, at);
  merge.up(2, 1, at);
  merge.up(3, 1, at);
  return merge;
};

describe('FeedStatusMerge', () => {
  it('says connected once every first socket is up, not before', () => {
    const merge = new FeedStatusMerge();
    for (const n of [1, 2, 3]) merge.add(n, true);
    expect(merge.up(1, 1, at)).toBeUndefined();
    expect(merge.up(2, 1, at)).toBeUndefined();
    expect(merge.up(3, 1, at)).toEqual({ kind: 'connected', at, attempt: 1 });
    expect(merge.isConnected).toBe(true);
  });

  it('says disconnected when one socket drops, once, and connected when all are back', () => {
    const merge = threeUp();
    expect(merge.down(2, at, 'dropped')).toEqual({ kind: 'disconnected', at, reason: 'dropped' });
    expect(merge.down(3, at, 'also dropped')).toBeUndefined();
    expect(merge.up(2, 2, at)).toBeUndefined();
    // A value above 1 means a reconnect, as it did for one socket: 1 + every retry beyond the first.
    expect(merge.up(3, 3, at)).toEqual({ kind: 'connected', at, attempt: 4 });
  });

  it('counts a socket opened later only once it first connected', () => {
    const merge = threeUp();
    merge.add(4, false);
    expect(merge.isConnected).toBe(true);
    expect(merge.up(4, 1, at)).toBeUndefined();
    expect(merge.down(4, at, 'dropped')).toEqual({ kind: 'disconnected', at, reason: 'dropped' });
  });

  it('a first attempt that failed makes the first connect count as a reconnect, as for one socket', () => {
    const merge = new FeedStatusMerge();
    merge.add(1, true);
    merge.add(2, true);
    merge.up(1, 1, at);
    expect(merge.up(2, 2, at)).toEqual({ kind: 'connected', at, attempt: 2 });
  });

  it('a closed socket no longer holds the stream down, and its retries still count', () => {
    const merge = threeUp();
    merge.up(3, 2, at);
    merge.down(3, at, 'dropped');
    expect(merge.remove(3, at)).toEqual({ kind: 'connected', at, attempt: 2 });
    expect(merge.remove(2, at)).toBeUndefined();
  });
});
