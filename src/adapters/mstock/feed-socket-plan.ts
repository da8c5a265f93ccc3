import type { InstrumentToken } from '../../domain/instrument.ts';

/** How many instruments a socket carries and how many sockets one feed may open. */
export interface FeedSocketLimits {
  readonly maxInstrumentsPerSocket: number;
  readonly maxSockets: number;
}

/** The selection needs more sockets than MSTOCK_MAX_SOCKETS allows. */
export class TooManyInstruments extends Error {
  override readonly name = 'TooManyInstruments';
  readonly instruments: number;
  readonly limits: FeedSocketLimits;

  constructor(instruments: number, limits: FeedSocketLimits) {
    const most = limits.maxInstrumentsPerSocket * limits.maxSockets;
    super(
      `${instruments} instruments selected, but the feed can carry at most ${most}: ` +
        `MSTOCK_MAX_INSTRUMENTS_PER_SOCKET (${limits.maxInstrumentsPerSocket}) × ` +
        `MSTOCK_MAX_SOCKETS (${limits.maxSockets}); select fewer instruments or raise one of them ` +
        `(the broker's own limits are undocumented)`,
    );
    this.instruments = instruments;
    this.limits = limits;
  }
}

/**
 * The sockets `count` instruments need: ceil(count / per socket), at least one (a feed following
 * nothing yet still holds a socket, to subscribe on later). Throws `TooManyInstruments` when that
 * is more than `maxSockets`; the root calls this at start to refuse such a selection at once.
 */
export const socketsNeeded = (count: number, limits: FeedSocketLimits): number => {
  const needed = Math.max(1, Math.ceil(count / limits.maxInstrumentsPerSocket));
  if (needed > limits.maxSockets) throw new TooManyInstruments(count, limits);
  return needed;
};

/** The tokens in socket-sized groups, in order: every group full but the last. */
export const splitTokens = (
  tokens: readonly InstrumentToken[],
  limits: FeedSocketLimits,
): InstrumentToken[][] => {
  const groups: InstrumentToken[][] = [];
  const size = limits.maxInstrumentsPerSocket;
  for (let i = 0; i < socketsNeeded(tokens.length, limits); i += 1)
    groups.push(tokens.slice(i * size, (i + 1) * size));
  return groups;
};

/** Where added tokens go: into sockets that have room (by index), and into new sockets. */
export interface Placement {
  /** Per existing socket (same order as `held`), the tokens it takes; empty when none. */
  readonly intoExisting: readonly (readonly InstrumentToken[])[];
  /** Groups for sockets to open, each at most one socket's worth. */
  readonly intoNew: readonly (readonly InstrumentToken[])[];
  /** What fits nowhere: every socket full and no more may be opened. */
  readonly left: readonly InstrumentToken[];
}

/**
 * Places new tokens: first into the open sockets with room, in order, then into new sockets as
 * long as `maxSockets` allows; the rest is `left`. `held` is each open socket's instrument count.
 */
export const placeTokens = (
  tokens: readonly InstrumentToken[],
  held: readonly number[],
  limits: FeedSocketLimits,
): Placement => {
  const size = limits.maxInstrumentsPerSocket;
  let rest = tokens;
  const intoExisting = held.map((count) => {
    const room = Math.max(0, size - count);
    const taken = rest.slice(0, room);
    rest = rest.slice(taken.length);
    return taken;
  });
  const intoNew: InstrumentToken[][] = [];
  while (rest.length > 0 && held.length + intoNew.length < limits.maxSockets) {
    intoNew.push(rest.slice(0, size));
    rest = rest.slice(size);
  }
  return { intoExisting, intoNew, left: rest };
};
