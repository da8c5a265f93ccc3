// Hashing is computation, not I/O: the one node: name a use case may take (eslint.config.js).
import { createHash } from 'node:crypto';
import { planId, type PlanId } from '../../domain/backfill-plan-types.ts';
import type { CandleInterval } from '../../domain/candle.ts';
import type { InstrumentToken } from '../../domain/instrument.ts';
import { formatIstDateTime } from '../../domain/ist.ts';
import type { MarketSession, SessionWindow } from '../../domain/market-session.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { PlanStore } from './plan-store.ts';

/** What a trigger asks for: trading days back from now, or explicit windows (a feed gap). */
export type BackfillSpan =
  | { readonly kind: 'days'; readonly days: number }
  | { readonly kind: 'windows'; readonly windows: readonly SessionWindow[] };

export interface BackfillRequest {
  /** The plan's id; when absent one is derived from what the request covers. */
  readonly id?: string;
  readonly tokens: readonly InstrumentToken[];
  readonly interval: CandleInterval;
  readonly span: BackfillSpan;
}

/** A request made concrete at a moment: the windows it covers and the plan that will hold it. */
export interface ResolvedRequest {
  readonly planId: PlanId;
  /** True when the id came from the request (an idempotency key), false when derived. */
  readonly explicitId: boolean;
  readonly tokens: readonly InstrumentToken[];
  readonly windows: readonly SessionWindow[];
  readonly interval: CandleInterval;
}

const byToken = (a: InstrumentToken, b: InstrumentToken): number => Number(a) - Number(b);

const compact = (at: EpochMs): string =>
  formatIstDateTime(at).replace(' ', 'T').replaceAll(':', '').slice(0, 15);

/**
 * The same id for the same tokens, windows and interval, so a request repeated (or replayed after
 * a crash) finds its plan: readable parts (`minute-2026-11-16_2026-11-20-51t-…` for days,
 * `gap-minute-2026-11-17T1002_2026-11-17T1031-3t-…` for a gap), then a hash of everything.
 */
export const derivedPlanId = (
  kind: BackfillSpan['kind'],
  tokens: readonly InstrumentToken[],
  windows: readonly SessionWindow[],
  interval: CandleInterval,
): PlanId => {
  const hash = createHash('sha256')
    .update(JSON.stringify({ tokens, interval, windows: windows.map((w) => [w.open, w.close]) }))
    .digest('hex')
    .slice(0, 12);
  const first = windows[0];
  const last = windows.at(-1);
  const span =
    first === undefined || last === undefined
      ? 'empty'
      : kind === 'days'
        ? `${first.day}_${last.day}`
        : `${compact(first.open)}_${compact(last.close)}`;
  return planId(`${kind === 'days' ? '' : 'gap-'}${interval}-${span}-${tokens.length}t-${hash}`);
};

/**
 * Makes a request concrete at `now`: the last `days` trading days whose bars are final (oldest
 * first, as the plan takes them), tokens sorted and each once.
 */
export const resolveRequest = (
  request: BackfillRequest,
  session: MarketSession,
  now: EpochMs,
): ResolvedRequest => {
  const windows =
    request.span.kind === 'windows'
      ? request.span.windows
      : session.previousTradingDays(now, request.span.days).reverse().map(session.sessionBounds);
  const tokens = [...new Set(request.tokens)].sort(byToken);
  return {
    planId:
      request.id === undefined
        ? derivedPlanId(request.span.kind, tokens, windows, request.interval)
        : planId(request.id),
    explicitId: request.id !== undefined,
    tokens,
    windows,
    interval: request.interval,
  };
};

/** What to do with a request given what the store holds. */
export type PlanChoice =
  | { readonly kind: 'new'; readonly planId: PlanId }
  | { readonly kind: 'resume'; readonly planId: PlanId }
  | { readonly kind: 'finished'; readonly planId: PlanId };

/** How many runs of one derived plan are looked for before giving up: far beyond any real use. */
const MAX_RUNS = 1000;

/**
 * Which plan a request runs as. An unfinished plan of that id is resumed (nothing done is redone).
 * A finished one is `finished` when the id was given (ids are idempotency keys) or when
 * `rerunFinished` is false (the start-up trigger: a restart must not redo a finished backfill);
 * otherwise (an operator asking again) the request becomes a new run, `<id>.r2`, `<id>.r3`, ...
 */
export const choosePlan = async (
  store: PlanStore,
  request: ResolvedRequest,
  rerunFinished: boolean,
): Promise<PlanChoice> => {
  for (let run = 1; run <= MAX_RUNS; run++) {
    const id = run === 1 ? request.planId : planId(`${request.planId}.r${run}`);
    const { state } = await store.load(id);
    if (state.status === 'idle') return { kind: 'new', planId: id };
    if (state.status === 'running') return { kind: 'resume', planId: id };
    if (request.explicitId || !rerunFinished) return { kind: 'finished', planId: id };
  }
  throw new Error(`plan ${request.planId} has been run ${MAX_RUNS} times`);
};
