import type { FeedGap } from './feed-events.ts';
import { isFullyCovered, type BarCoverage } from './gap-coverage.ts';
import type { InstrumentToken } from './instrument.ts';
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
      /** A backfill came back short of the calendar: `tokens` are asked again (unless closed next). */
      readonly type: 'GapFillShort';
      readonly data: {
        readonly gapId: GapId;
        readonly at: EpochMs;
        /** Backfills of this gap that came back short, this one included. */
        readonly attempt: number;
        readonly expected: number;
        readonly received: number;
        readonly tokens: readonly InstrumentToken[];
      };
    }
  | {
      readonly type: 'GapFilled';
      readonly data: {
        readonly gapId: GapId;
        readonly at: EpochMs;
        readonly how: GapFillHow;
        /** Bars the calendar promised and the last backfill brought (absent for nothing-to-fill). */
        readonly expected?: number;
        readonly received?: number;
      };
    };

/**
 * How a gap was closed: by a backfill whose bars cover the calendar, because it held no session
 * minute (a night drop), or given up short after the configured tries (the broker has no more).
 */
export type GapFillHow = 'backfilled' | 'nothing-to-fill' | 'short';

export type GapLedgerCommand =
  | { readonly type: 'OpenGap'; readonly gap: FeedGap; readonly at: EpochMs }
  | { readonly type: 'MarkNothingToFill'; readonly gapId: GapId; readonly at: EpochMs }
  | {
      /** What a backfill of the gap brought back, checked against the calendar. */
      readonly type: 'RecordCoverage';
      readonly gapId: GapId;
      readonly coverage: BarCoverage;
      /** Backfills that may come back short before the gap is closed as `short`. */
      readonly maxAttempts: number;
      readonly at: EpochMs;
    };

export interface GapLedgerRefused {
  readonly reason: 'GapAlreadyOpened' | 'GapUnknown' | 'GapAlreadyFilled';
}

export type LedgerGap =
  | {
      readonly status: 'open';
      readonly gap: FeedGap;
      readonly openedAt: EpochMs;
      /** Backfills that came back short so far. */
      readonly shortAttempts: number;
      /** The tokens the last short backfill lacked: what the next one asks for. */
      readonly retryTokens: readonly InstrumentToken[] | undefined;
    }
  | {
      readonly status: 'filled';
      readonly gap: FeedGap;
      readonly openedAt: EpochMs;
      readonly filledAt: EpochMs;
      readonly how: GapFillHow;
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
      gaps.set(gapId, { status: 'open', gap, openedAt: at, shortAttempts: 0, retryTokens: undefined });
      return { gaps };
    }
    case 'GapFillShort': {
      const known = gaps.get(event.data.gapId);
      if (known?.status !== 'open') return state;
      gaps.set(event.data.gapId, {
        ...known,
        shortAttempts: event.data.attempt,
        retryTokens: event.data.tokens,
      });
      return { gaps };
    }
    case 'GapFilled': {
      const known = gaps.get(event.data.gapId);
      if (known === undefined) return state;
      gaps.set(event.data.gapId, {
        status: 'filled',
        gap: known.gap,
        openedAt: known.openedAt,
        filledAt: event.data.at,
        how: event.data.how,
      });
      return { gaps };
    }
  }
};

const decideCoverage = (
  command: Extract<GapLedgerCommand, { type: 'RecordCoverage' }>,
  known: Extract<LedgerGap, { status: 'open' }>,
): GapLedgerEvent[] => {
  const { gapId, coverage, at } = command;
  const counts = { expected: coverage.expected, received: coverage.received };
  if (isFullyCovered(coverage))
    return [{ type: 'GapFilled', data: { gapId, at, how: 'backfilled', ...counts } }];
  const attempt = known.shortAttempts + 1;
  // A short answer with no token named short (more expected than received overall) asks for all again.
  const tokens = coverage.shortTokens.length > 0 ? coverage.shortTokens : known.gap.tokens;
  const short: GapLedgerEvent = { type: 'GapFillShort', data: { gapId, at, attempt, ...counts, tokens } };
  return attempt >= command.maxAttempts
    ? [short, { type: 'GapFilled', data: { gapId, at, how: 'short', ...counts } }]
    : [short];
};

const decide = (
  command: GapLedgerCommand,
  state: GapLedgerState,
): readonly GapLedgerEvent[] | GapLedgerRefused => {
  if (command.type === 'OpenGap') {
    const gapId = gapIdOf(command.gap);
    if (state.gaps.has(gapId)) return { reason: 'GapAlreadyOpened' };
    const { tokens, from, to, cause } = command.gap;
    return [{ type: 'FeedGapOpened', data: { gapId, tokens, from, to, cause, at: command.at } }];
  }
  const known = state.gaps.get(command.gapId);
  if (known === undefined) return { reason: 'GapUnknown' };
  if (known.status === 'filled') return { reason: 'GapAlreadyFilled' };
  switch (command.type) {
    case 'MarkNothingToFill':
      return [{ type: 'GapFilled', data: { gapId: command.gapId, at: command.at, how: 'nothing-to-fill' } }];
    case 'RecordCoverage':
      return decideCoverage(command, known);
  }
};

/**
 * The gap ledger as a decider (style.md §2): every gap opened once and closed once, by a backfill
 * whose coverage of the calendar is checked, asked again while short, up to `maxAttempts`.
 */
export const gapLedger = { decide, evolve, initialState };

export const isLedgerRefusal = (r: readonly GapLedgerEvent[] | GapLedgerRefused): r is GapLedgerRefused =>
  !Array.isArray(r);

/** An open gap as the backfill should take it up: the tokens still short, and how many tries were short. */
export interface GapToFill {
  readonly gapId: GapId;
  /** The gap as opened, cut to the tokens the last short backfill lacked. */
  readonly gap: FeedGap;
  readonly shortAttempts: number;
}

/** The gaps still open, oldest first: what a restarted service resumes. */
export const openGaps = (state: GapLedgerState): GapToFill[] => {
  const open: GapToFill[] = [];
  for (const [gapId, g] of state.gaps)
    if (g.status === 'open')
      open.push({
        gapId,
        gap: g.retryTokens === undefined ? g.gap : { ...g.gap, tokens: g.retryTokens },
        shortAttempts: g.shortAttempts,
      });
  return open.sort((a, b) => a.gap.from - b.gap.from);
};
