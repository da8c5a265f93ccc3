import type { QueryColumn } from './instrument-query-columns.ts';

/**
 * INSTRUMENTS_QUERY, parsed: a selection over the instrument master. Alternatives (`;`) are OR'ed,
 * the filters of one alternative AND'ed. Written by `parseInstrumentQuery`, run by
 * `selectInstruments`.
 */
export interface InstrumentQuery {
  readonly text: string;
  readonly alternatives: readonly (readonly QueryFilter[])[];
}

/** `nearest`: each underlying's earliest expiry from today; `next`: the one after it. */
export type ExpiryRank = 'nearest' | 'next';

/** One item of an `=`/`!=` list: a value, a `*` pattern, or an expiry rank. */
export type MatchValue =
  | { readonly kind: 'exact'; readonly text: string; readonly number?: number }
  | { readonly kind: 'pattern'; readonly pattern: RegExp }
  | { readonly kind: 'rank'; readonly rank: ExpiryRank };

export type CompareOp = '<' | '<=' | '>' | '>=';

export type QueryFilter =
  | {
      readonly kind: 'match';
      readonly column: QueryColumn;
      readonly negated: boolean;
      readonly values: readonly MatchValue[];
      /** 1-based character position of the filter in the query text. */
      readonly position: number;
    }
  | {
      readonly kind: 'compare';
      readonly column: QueryColumn;
      readonly op: CompareOp;
      /** A number, or an expiry date `YYYY-MM-DD`. */
      readonly value: number | string;
      readonly position: number;
    };

/** What is wrong with a query, and where (1-based character position in its text). */
export interface QueryError {
  readonly position: number;
  readonly message: string;
}

export const formatQueryError = (e: QueryError): string => `at ${e.position}: ${e.message}`;
