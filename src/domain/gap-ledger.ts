import type { FeedGap } from './feed-events.ts';
import type { EpochMs } from './units.ts';

/** A gap's identity: the same gap reported twice (a resume, a retry) gets the same id. */
export type GapId = string & { readonly __gapId: unique symbol };

/** FNV-1a, 32 bits: a short, stable digest of the token list, so ids stay short for 51 tokens. */
const fnv1a = (s: string): string => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
};

export const gapIdOf = (gap: FeedGap): GapId =>
  `${gap.cause}-${gap.from}-${gap.to}-${gap.tokens.length}-${fnv1a([...gap.tokens].sort().join(','))}` as GapId;

/** The life of a gap in the ledger (event log stream `gaps`). */
export type GapLedgerEvent =
  | {
      readonly type: 'FeedGapOpened';
      readonly data: FeedGap & { readonly gapId: GapId; readonly at: EpochMs };
    }
  | {
      readonly type: 'GapFilled';
      readonly data: { readonly gapId: GapId; readonly at: EpochMs; readonly how: GapFillHow };
    };

/** How a gap was closed: by a backfill, or because it held no session minute to fill (a night drop). */
export type GapFillHow = 'backfilled' | 'nothing-to-fill';

export type GapLedgerCommand =
  | { readonly type: 'OpenGap'; readonly gap: FeedGap; readonly at: EpochMs }
  | { readonly type: 'MarkFilled'; readonly gapId: GapId; readonly how: GapFillHow; readonly at: EpochMs };

export interface GapLedgerRefused {
  readonly reason: 'GapAlreadyOpened' | 'GapUnknown' | 'GapAlreadyFilled';
}

export type LedgerGap =
  | { readonly status: 'open'; readonly gap: FeedGap; readonly openedAt: EpochMs }
  | {
      readonly status: 'filled';
      readonly gap: FeedGap;
      readonly openedAt: EpochMs;
      readonly filledAt: EpochMs;
    };

export interface GapLedgerState {
  readonly gaps: ReadonlyMap<GapId, LedgerGap>;
}

const initialState: GapLedgerState = { gaps: new Map() };

const evolve = (state: GapLedgerState, event: GapLedgerEvent): GapLedgerState => {
  const gaps = new Map(state.gaps);
  switch (event.type) {
    case 'FeedGapOpened': {
      const { gapId, at, ...gap } = event.data;
      gaps.set(gapId, { status: 'open', gap, openedAt: at });
      return { gaps };
    }
    case 'GapFilled': {
      const known = gaps.get(event.data.gapId);
      if (known === undefined) return state;
      gaps.set(event.data.gapId, { ...known, status: 'filled', filledAt: event.data.at });
      return { gaps };
    }
  }
};

const decide = (
  command: GapLedgerCommand,
  state: GapLedgerState,
): readonly GapLedgerEvent[] | GapLedgerRefused => {
  switch (command.type) {
    case 'OpenGap': {
      const gapId = gapIdOf(command.gap);
      if (state.gaps.has(gapId)) return { reason: 'GapAlreadyOpened' };
      const { tokens, from, to, cause } = command.gap;
      return [{ type: 'FeedGapOpened', data: { gapId, tokens, from, to, cause, at: command.at } }];
    }
    case 'MarkFilled': {
      const known = state.gaps.get(command.gapId);
      if (known === undefined) return { reason: 'GapUnknown' };
      if (known.status === 'filled') return { reason: 'GapAlreadyFilled' };
      return [{ type: 'GapFilled', data: { gapId: command.gapId, at: command.at, how: command.how } }];
    }
  }
};

/** The gap ledger as a decider (style.md §2): every gap opened once, filled once. */
export const gapLedger = { decide, evolve, initialState };

export const isLedgerRefusal = (r: readonly GapLedgerEvent[] | GapLedgerRefused): r is GapLedgerRefused =>
  !Array.isArray(r);

/** The gaps still open, oldest first: what a restarted service resumes. */
export const openGaps = (state: GapLedgerState): { readonly gapId: GapId; readonly gap: FeedGap }[] =>
  [...state.gaps]
    .filter(([, g]) => g.status === 'open')
    .map(([gapId, g]) => ({ gapId, gap: g.gap }))
    .sort((a, b) => a.gap.from - b.gap.from);
