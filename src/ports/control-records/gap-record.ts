import type { FeedGap } from '../../domain/feed-events.ts';
import type { GapLedgerEvent } from '../../domain/gap-ledger.ts';
import type { ControlRecord } from '../record-publisher.ts';

/**
 * The gap topic's schema version (docs/schemas/market_gaps.v1.schema.json). Adding an optional
 * field keeps it; removing or renaming a field, or changing a type or meaning, bumps it.
 */
export const GAP_SCHEMA_VERSION = 1;

const valueOf = (event: GapLedgerEvent, gap: FeedGap, token: string): Record<string, unknown> => {
  const common = { event: event.type, gapId: event.data.gapId, token, from: gap.from, to: gap.to };
  switch (event.type) {
    case 'FeedGapOpened':
      return { ...common, cause: gap.cause, tokens: gap.tokens.length, at: event.data.at };
    case 'GapFillShort':
      return {
        ...common,
        cause: gap.cause,
        attempt: event.data.attempt,
        expected: event.data.expected,
        received: event.data.received,
        at: event.data.at,
      };
    case 'GapFilled':
      return {
        ...common,
        cause: gap.cause,
        how: event.data.how,
        ...(event.data.expected === undefined ? {} : { expected: event.data.expected }),
        ...(event.data.received === undefined ? {} : { received: event.data.received }),
        at: event.data.at,
      };
  }
};

/**
 * The gap topic's records of one ledger event, one per token it concerns, keyed by the token so a
 * consumer reads its own instruments: every token of the gap, except for a short backfill, which
 * names only the tokens asked again.
 */
export const gapRecords = (event: GapLedgerEvent, gap: FeedGap): ControlRecord[] =>
  (event.type === 'GapFillShort' ? event.data.tokens : gap.tokens).map((token) => ({
    key: token,
    value: JSON.stringify(valueOf(event, gap, token)),
    schemaVersion: GAP_SCHEMA_VERSION,
  }));
