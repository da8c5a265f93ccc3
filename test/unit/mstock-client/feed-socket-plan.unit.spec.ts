import { describe, expect, it } from 'vitest';
import {
  placeTokens,
  socketsNeeded,
  splitTokens,
  TooManyInstruments,
} from '../../../src/adapters/mstock/feed-socket-plan.ts';
import { instrumentToken, type InstrumentToken } from '../../../src/domain/instrument.ts';

const tokens = (from: number, count: number): InstrumentToken[] =>
  Array.from({ length: count }, (_, i) => instrumentToken(String(from + i)));
const limits = { maxInstrumentsPerSocket: 50, maxSockets: 3 };

describe('socketsNeeded', () => {
  it('is ceil(instruments / per socket), and one socket for none', () => {
    expect([0, 1, 50, 51, 100, 101, 150].map((n) => socketsNeeded(n, limits))).toEqual([1, 1, 1, 2, 2, 3, 3]);
  });

  it('refuses more than MSTOCK_MAX_SOCKETS sockets with a message naming both settings', () => {
    expect(() => socketsNeeded(151, limits)).toThrow(TooManyInstruments);
    expect(() => socketsNeeded(151, limits)).toThrow(
      '151 instruments selected, but the feed can carry at most 150: ' +
        'MSTOCK_MAX_INSTRUMENTS_PER_SOCKET (50) × MSTOCK_MAX_SOCKETS (3)',
    );
  });
});

describe('splitTokens', () => {
  it('fills every socket but the last, keeping the order', () => {
    const groups = splitTokens(tokens(1, 120), limits);
    expect(groups.map((g) => g.length)).toEqual([50, 50, 20]);
    expect(groups.flat()).toEqual(tokens(1, 120));
  });

  it('gives one empty group for an empty subscription', () => {
    expect(splitTokens([], limits)).toEqual([[]]);
  });
});

describe('placeTokens', () => {
  it('fills the sockets with room first, in order', () => {
    const placed = placeTokens(tokens(1, 15), [45, 50, 40], limits);
    expect(placed.intoExisting.map((g) => g.length)).toEqual([5, 0, 10]);
    expect(placed.intoNew).toEqual([]);
    expect(placed.left).toEqual([]);
  });

  it('opens new sockets when all are full, while MSTOCK_MAX_SOCKETS allows', () => {
    const placed = placeTokens(tokens(1, 70), [48], limits);
    expect(placed.intoExisting).toEqual([tokens(1, 2)]);
    expect(placed.intoNew).toEqual([tokens(3, 50), tokens(53, 18)]);
    expect(placed.left).toEqual([]);
  });

  it('takes what fits and leaves the rest when no socket may be added', () => {
    const placed = placeTokens(tokens(1, 10), [50, 50, 46], limits);
    expect(placed.intoExisting).toEqual([[], [], tokens(1, 4)]);
    expect(placed.intoNew).toEqual([]);
    expect(placed.left).toEqual(tokens(5, 6));
  });
});
