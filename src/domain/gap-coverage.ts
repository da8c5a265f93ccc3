import type { PlanState } from './backfill-plan-types.ts';
import type { InstrumentToken } from './instrument.ts';

/**
 * How much of what the calendar promises a backfill brought back. Each chunk of a plan knows the
 * bars its span holds in the NSE session (`Chunk.bars`); a chunk published with fewer, or given
 * up, leaves its token short. A broker can answer before all its bars are in, so short is worth
 * asking again; an instrument that did not trade in some minute stays short for good.
 */
export interface BarCoverage {
  readonly expected: number;
  readonly received: number;
  /** Tokens with at least one chunk short or given up, each once, in plan order. */
  readonly shortTokens: readonly InstrumentToken[];
}

export const isFullyCovered = (c: BarCoverage): boolean =>
  c.shortTokens.length === 0 && c.received >= c.expected;

/**
 * The coverage of a plan's chunks so far (a completed plan: all of them); with `tokens`, of those
 * instruments' chunks only (one gap's share of a backfill that serves several gaps).
 */
export const planCoverage = (state: PlanState, tokens?: readonly InstrumentToken[]): BarCoverage => {
  if (state.status === 'idle') return { expected: 0, received: 0, shortTokens: [] };
  const only = tokens === undefined ? undefined : new Set(tokens);
  let expected = 0;
  let received = 0;
  const short = new Set<InstrumentToken>();
  for (const [i, chunk] of state.plan.chunks.entries()) {
    if (only !== undefined && !only.has(chunk.token)) continue;
    const p = state.progress[i];
    expected += chunk.bars;
    // More bars than the span holds would be a broker bug; they cannot make up for another's loss.
    const got = p?.status === 'published' ? Math.min(p.bars, chunk.bars) : 0;
    received += got;
    if (got < chunk.bars) short.add(chunk.token);
  }
  return { expected, received, shortTokens: [...short] };
};
