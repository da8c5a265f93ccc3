import { istDayNumber } from './ist.ts';
import { tickTime, type Tick } from './tick.ts';
import type { Rupees } from './units.ts';

/** Why a tick was held back from `market_ticks`. Each has its own series in the quarantine counter. */
export type QuarantineReason =
  | 'unsubscribed-token'
  | 'price-not-positive'
  | 'price-outside-circuit'
  | 'price-outside-band'
  | 'exchange-time-ahead'
  | 'exchange-time-behind'
  | 'volume-backwards';

export const QUARANTINE_REASONS: readonly QuarantineReason[] = [
  'unsubscribed-token',
  'price-not-positive',
  'price-outside-circuit',
  'price-outside-band',
  'exchange-time-ahead',
  'exchange-time-behind',
  'volume-backwards',
];

export interface ValidationRules {
  /** Largest move from the previous close, in percent, when the tick carries no circuit limits. */
  readonly bandPercent: number;
  /** How far the exchange's time may run ahead of the receive time (clock skew). */
  readonly maxExchangeLeadMs: number;
  /** How far it may lag behind the receive time during the session. */
  readonly maxExchangeLagMs: number;
}

/** What the checks remember of one token: its last accepted cumulative volume and previous close. */
export interface TokenMemory {
  /** IST day number of the volume: cumulative volume starts again each session. */
  readonly day: number;
  readonly volume: number;
  readonly close: Rupees | undefined;
}

/** Facts about the moment of the check that the tick itself does not carry. */
export interface CheckContext {
  readonly subscribed: boolean;
  /** In the continuous session: only then is an old exchange time suspicious (snapshots are not). */
  readonly marketOpen: boolean;
}

const outsideBand = (ltp: number, reference: number, percent: number): boolean =>
  Math.abs(ltp - reference) * 100 > percent * reference;

/**
 * The first check a tick fails, or undefined when it passes. Checks run cheapest and most certain
 * first, so a tick of an unknown token is reported as that, not as a price problem.
 */
export const checkTick = (
  tick: Tick,
  memory: TokenMemory | undefined,
  rules: ValidationRules,
  context: CheckContext,
): QuarantineReason | undefined => {
  if (!context.subscribed) return 'unsubscribed-token';
  if (!(tick.ltp > 0)) return 'price-not-positive';
  const { upperCircuit, lowerCircuit } = tick;
  if (upperCircuit !== undefined && lowerCircuit !== undefined && upperCircuit > 0 && lowerCircuit > 0) {
    if (tick.ltp > upperCircuit || tick.ltp < lowerCircuit) return 'price-outside-circuit';
  } else {
    const reference = tick.close !== undefined && tick.close > 0 ? tick.close : memory?.close;
    if (reference !== undefined && outsideBand(tick.ltp, reference, rules.bandPercent))
      return 'price-outside-band';
  }
  if (tick.exchangeTime !== undefined) {
    const lead = tick.exchangeTime - tick.receivedAt;
    if (lead > rules.maxExchangeLeadMs) return 'exchange-time-ahead';
    if (context.marketOpen && -lead > rules.maxExchangeLagMs) return 'exchange-time-behind';
  }
  if (memory !== undefined && memory.day === istDayNumber(tickTime(tick)) && tick.volume < memory.volume)
    return 'volume-backwards';
  return undefined;
};

/** The memory after an accepted tick. Quarantined ticks are not remembered: they are in doubt. */
export const rememberTick = (tick: Tick, memory: TokenMemory | undefined): TokenMemory => {
  const day = istDayNumber(tickTime(tick));
  const close = tick.close !== undefined && tick.close > 0 ? tick.close : memory?.close;
  if (memory !== undefined && memory.day === day && memory.volume === tick.volume && memory.close === close)
    return memory;
  return { day, volume: tick.volume, close };
};
