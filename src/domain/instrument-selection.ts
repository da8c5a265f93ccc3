import type { Exchange, Instrument, InstrumentToken } from './instrument.ts';

/** What a new selection changes for a running feed: instruments to subscribe and to drop. */
export interface SelectionChange {
  readonly added: readonly Instrument[];
  readonly removed: readonly Instrument[];
}

/**
 * The change from `before` to `after`, by token: the feed subscribes by token alone, so a token
 * kept on another exchange is neither added nor removed (the selection keeps one exchange per token).
 */
export const selectionChange = (
  before: readonly Instrument[],
  after: readonly Instrument[],
): SelectionChange => {
  const had = new Set<InstrumentToken>(before.map((i) => i.token));
  const has = new Set<InstrumentToken>(after.map((i) => i.token));
  return {
    added: after.filter((i) => !had.has(i.token)),
    removed: before.filter((i) => !has.has(i.token)),
  };
};

export const isEmptyChange = (c: SelectionChange): boolean => c.added.length === 0 && c.removed.length === 0;

/** A token selected on two exchanges: the feed could not tell their ticks apart, so one is dropped. */
export interface TokenCollision {
  readonly token: InstrumentToken;
  readonly kept: { readonly symbol: string; readonly exchange: Exchange };
  readonly dropped: { readonly symbol: string; readonly exchange: Exchange };
}

/**
 * One instrument per token, the first in selection order kept. m.Stock's subscribe message carries
 * the token alone and its packets name no exchange, so NSE 500 and BSE 500 followed together would
 * be one stream of ticks stamped with one exchange: the second is left out and reported instead.
 */
export const onePerToken = (
  selected: readonly Instrument[],
): { readonly kept: readonly Instrument[]; readonly collisions: readonly TokenCollision[] } => {
  const first = new Map<InstrumentToken, Instrument>();
  const kept: Instrument[] = [];
  const collisions: TokenCollision[] = [];
  for (const i of selected) {
    const held = first.get(i.token);
    if (held === undefined) {
      first.set(i.token, i);
      kept.push(i);
    } else if (held.exchange !== i.exchange || held.symbol !== i.symbol) {
      collisions.push({
        token: i.token,
        kept: { symbol: held.symbol, exchange: held.exchange },
        dropped: { symbol: i.symbol, exchange: i.exchange },
      });
    }
  }
  return { kept, collisions };
};

/** The first `n` collisions in one line for a log: `500 NSE:ABC (dropped BSE:XYZ); ...`. */
export const describeCollisions = (collisions: readonly TokenCollision[], n = 10): string =>
  collisions
    .slice(0, n)
    .map(
      (c) =>
        `${c.token} ${c.kept.exchange}:${c.kept.symbol} (dropped ${c.dropped.exchange}:${c.dropped.symbol})`,
    )
    .join('; ');

/**
 * Which exchange each token is on, for stamping ticks and naming candle paths: the feed carries
 * tokens only. Rebuilt whole on each selection, so a lookup never sees half of a change.
 */
export const exchangesOf = (instruments: readonly Instrument[]): ReadonlyMap<InstrumentToken, Exchange> =>
  new Map(instruments.map((i) => [i.token, i.exchange]));
