/** What the next historical/intraday calls are answered with instead of candles. */
export type HistoricalFaultAnswer = 'rate-limit' | 'bad-gateway' | 'expired-token';

/**
 * Broken frames the feed can send on demand. Each carries good ltp packets around the bad part, so
 * a client shows it skips the bad packet and keeps the rest:
 * - `unknown-length`: good, a 50-byte packet, good;  - `zero-length`: good, a 0-length packet, good;
 * - `count-too-high`: the header announces 3 packets, 2 follow;
 * - `length-past-end`: good, then a 44-byte length with 8 bytes behind it;
 * - `truncated`: a good 2-packet frame (ltp + quote) cut 20 bytes before its end.
 */
export type MalformedFrameKind =
  'unknown-length' | 'zero-length' | 'count-too-high' | 'length-past-end' | 'truncated';

export const MALFORMED_FRAME_KINDS: readonly MalformedFrameKind[] = [
  'unknown-length',
  'zero-length',
  'count-too-high',
  'length-past-end',
  'truncated',
];

/** Faults in force now, as `GET /sim/faults` and `stats().faults` show them. */
export interface ActiveFaults {
  readonly silent: boolean;
  /** ms left of the silence; null = until `resume`. */
  readonly silentForMs: number | null;
  /** Heartbeats only: no tick is sent. */
  readonly ticksMuted: boolean;
  readonly refuseHandshakes: number;
  readonly historical: { readonly answer: HistoricalFaultAnswer; readonly remaining: number } | null;
  readonly silentTokens: readonly number[];
  readonly dropShares: Readonly<Record<string, number>>;
  readonly outOfBand: Readonly<Record<string, number>>;
  /** Historical/intraday replies with bars still to lose their last bar. */
  readonly shortCandles: number;
}

/**
 * The faults' bookkeeping, read by the feed and the REST routes. Durations run on a monotonic
 * clock, not the market clock, so a test's fixed market time does not freeze them.
 */
export class FaultState {
  silentUntil = 0;
  /** Until then no tick is sent, but heartbeats are: a socket alive and mute. */
  ticksMutedUntil = 0;
  refuseHandshakes = 0;
  historical: { answer: HistoricalFaultAnswer; remaining: number } | undefined;
  readonly tokenSilentUntil = new Map<number, number>();
  readonly tokenDropShare = new Map<number, number>();
  readonly outOfBand = new Map<number, number>();
  shortCandles = 0;
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Silent for `ms`, or until `resume()` when undefined. */
  silence(ms: number | undefined): void {
    this.silentUntil = ms === undefined ? Number.POSITIVE_INFINITY : this.#now() + ms;
  }

  isSilent(): boolean {
    return this.silentUntil > this.#now();
  }

  /** No tick for `ms` (heartbeats go on), or until `resume()` when undefined. */
  muteTicks(ms: number | undefined): void {
    this.ticksMutedUntil = ms === undefined ? Number.POSITIVE_INFINITY : this.#now() + ms;
  }

  /** No tick is to be sent now: silent, or muted. */
  sendsNoTicks(): boolean {
    const now = this.#now();
    return this.silentUntil > now || this.ticksMutedUntil > now;
  }

  silenceToken(token: number, ms: number | undefined): void {
    this.tokenSilentUntil.set(token, ms === undefined ? Number.POSITIVE_INFINITY : this.#now() + ms);
  }

  isTokenSilent(token: number): boolean {
    if (this.tokenSilentUntil.size === 0) return false;
    const until = this.tokenSilentUntil.get(token);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.tokenSilentUntil.delete(token);
    return false;
  }

  takeHandshakeRefusal(): boolean {
    if (this.refuseHandshakes <= 0) return false;
    this.refuseHandshakes -= 1;
    return true;
  }

  takeHistoricalFault(): HistoricalFaultAnswer | undefined {
    const h = this.historical;
    if (h === undefined) return undefined;
    h.remaining -= 1;
    if (h.remaining <= 0) this.historical = undefined;
    return h.answer;
  }

  /** True when this tick of `token` is to carry a price outside its circuit limits. */
  takeOutOfBand(token: number): boolean {
    if (this.outOfBand.size === 0) return false;
    const left = this.outOfBand.get(token);
    if (left === undefined) return false;
    if (left <= 1) this.outOfBand.delete(token);
    else this.outOfBand.set(token, left - 1);
    return true;
  }

  /** True when this candle reply (one with bars) is to leave out its last bar. */
  takeShortCandles(): boolean {
    if (this.shortCandles <= 0) return false;
    this.shortCandles -= 1;
    return true;
  }

  clear(): void {
    this.silentUntil = 0;
    this.ticksMutedUntil = 0;
    this.refuseHandshakes = 0;
    this.historical = undefined;
    this.tokenSilentUntil.clear();
    this.tokenDropShare.clear();
    this.outOfBand.clear();
    this.shortCandles = 0;
  }

  snapshot(): ActiveFaults {
    const now = this.#now();
    const silent = this.silentUntil > now;
    return {
      silent,
      silentForMs: silent && Number.isFinite(this.silentUntil) ? Math.round(this.silentUntil - now) : null,
      ticksMuted: this.ticksMutedUntil > now,
      refuseHandshakes: this.refuseHandshakes,
      historical: this.historical === undefined ? null : { ...this.historical },
      silentTokens: [...this.tokenSilentUntil].filter(([, until]) => until > now).map(([token]) => token),
      dropShares: Object.fromEntries([...this.tokenDropShare].map(([k, v]) => [String(k), v])),
      outOfBand: Object.fromEntries([...this.outOfBand].map(([k, v]) => [String(k), v])),
      shortCandles: this.shortCandles,
    };
  }
}
