import { instrumentToken, type Exchange, type InstrumentToken } from './instrument.ts';
import type { EpochMs } from './units.ts';

/**
 * One token's state: its token string and its exchange (so a decoder that reads the token as a
 * number builds no string and looks up no exchange per tick) and the run of equal times it is in.
 * The run is mutated only through `nextSeq`; the exchange is the decoder's to fill in.
 */
export interface TokenRun {
  /** The token's number: the key the decoder looks the run up with. */
  readonly n: number;
  readonly token: InstrumentToken;
  /** Undefined until the decoder learns it (`forgetExchanges` sets it back). */
  exchange: Exchange | undefined;
  time: number;
  count: number;
}

/** The run's seq for a tick at `time`: one more than the last one at the same time, else 0. */
export const nextSeq = (run: TokenRun, time: number): number => {
  if (run.time === time) return (run.count += 1);
  run.time = time;
  run.count = 0;
  return 0;
};

/** No tick has this time, so a new token's first tick always starts a run at 0. */
const NO_TIME = Number.NaN;

/** Starting table size (a power of two, at most half full): the Nifty 50 and its indices fit. */
const INITIAL_SLOTS = 256;

/** Fibonacci hashing: the top bits of n × 2^32/φ, so tokens that differ only in high bits spread. */
const slotOf = (n: number, shift: number): number => Math.imul(n, 0x9e3779b1) >>> shift;

/**
 * Numbers ticks of one token that share an exchange time: 0 for the first, then 1, 2, ...; back to
 * 0 when the time changes. With the token and the time this makes `tickId` unique.
 *
 * The count follows runs of equal times, as the feed sends them: a time that comes back after
 * another one starts again at 0. Exchange times per token only move forward on a live feed, so
 * that never happens there; a source that reorders ticks must sort them first.
 *
 * Called once per tick on the hot path, so the state is keyed by the token's number (the feed's
 * int32 field, what an `InstrumentToken` spells): the decoder finds a token's string and its count
 * with one lookup on a small integer. After a token's first tick it allocates nothing.
 */
export class TickSequencer {
  /*
   * An open-addressing hash table (linear probing) of runs keyed by token number. A hit in the
   * token's own slot, the usual case, is one array load and one compare, inlined into the decoder:
   * measured about 15% more 8-byte packets per second than a Map<number, TokenRun> (within noise
   * on longer packets, whose decoding costs more).
   */
  #slots: (TokenRun | undefined)[] = new Array<TokenRun | undefined>(INITIAL_SLOTS).fill(undefined);
  #shift = 32 - Math.log2(INITIAL_SLOTS);
  #size = 0;

  /** The seq of a tick of `token` (an `InstrumentToken`: a positive int32 in decimal) at `time`. */
  next(token: InstrumentToken, time: EpochMs): number {
    return nextSeq(this.runOf(Number(token)), time);
  }

  /** The state of the token numbered `n` (a positive int32), made on its first tick. */
  runOf(n: number): TokenRun {
    const run = this.#slots[slotOf(n, this.#shift)];
    return run !== undefined && run.n === n ? run : this.#probe(n);
  }

  /**
   * Forgets every token's exchange, keeping its seq run: for when the instruments a decoder's
   * `exchangeOf` answers from change, so a token now listed on another exchange is looked up again.
   */
  forgetExchanges(): void {
    for (const run of this.#slots) if (run !== undefined) run.exchange = undefined;
  }

  /** Forgets every token, e.g. when a new session starts from a clean slate. */
  clear(): void {
    this.#slots = new Array<TokenRun | undefined>(INITIAL_SLOTS).fill(undefined);
    this.#shift = 32 - Math.log2(INITIAL_SLOTS);
    this.#size = 0;
  }

  /** The run past its own slot (a collision), or a new one in the first empty slot. */
  #probe(n: number): TokenRun {
    const slots = this.#slots;
    const mask = slots.length - 1;
    for (let slot = slotOf(n, this.#shift); ; slot = (slot + 1) & mask) {
      const run = slots[slot];
      if (run === undefined)
        return this.#add(
          { n, token: instrumentToken(n), exchange: undefined, time: NO_TIME, count: 0 },
          slot,
        );
      if (run.n === n) return run;
    }
  }

  #add(run: TokenRun, slot: number): TokenRun {
    this.#slots[slot] = run;
    this.#size += 1;
    if (this.#size * 2 > this.#slots.length) this.#grow();
    return run;
  }

  /** Doubles the table and puts every run back. */
  #grow(): void {
    const old = this.#slots;
    const slots = new Array<TokenRun | undefined>(old.length * 2).fill(undefined);
    const mask = slots.length - 1;
    const shift = this.#shift - 1;
    for (const run of old) {
      if (run === undefined) continue;
      let slot = slotOf(run.n, shift);
      while (slots[slot] !== undefined) slot = (slot + 1) & mask;
      slots[slot] = run;
    }
    this.#slots = slots;
    this.#shift = shift;
  }
}
