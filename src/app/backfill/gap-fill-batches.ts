import type { InstrumentToken } from '../../domain/instrument.ts';
import type { BackfillRequest } from './plan-request.ts';

/** One gap's wait for its backfill: the instruments it is missing and who hears the result. */
export interface GapWaiter<R> {
  readonly tokens: readonly InstrumentToken[];
  readonly onSettled: (result: R) => void;
}

/** Gap fills that one backfill serves: the same bars asked for the union of their instruments. */
export interface GapFillGroup<R> {
  /** Equal for requests of the same windows, interval and fetch-again choice. */
  readonly key: string;
  readonly request: BackfillRequest;
  readonly fetchAgain: boolean;
  readonly waiters: readonly GapWaiter<R>[];
}

const byToken = (a: InstrumentToken, b: InstrumentToken): number => Number(a) - Number(b);

/** What makes two gap requests one backfill: everything but their instruments. */
export const gapFillKey = (request: BackfillRequest, fetchAgain: boolean): string =>
  JSON.stringify({
    interval: request.interval,
    span: request.span.kind === 'windows' ? request.span.windows.map((w) => [w.open, w.close]) : request.span,
    fetchAgain,
  });

/** One group from groups of the same key: the instruments united, every waiter kept. */
export const mergeGapFills = <R>(groups: readonly GapFillGroup<R>[]): GapFillGroup<R> | undefined => {
  const [first] = groups;
  if (first === undefined) return undefined;
  const tokens = [...new Set(groups.flatMap((g) => g.request.tokens))].sort(byToken);
  return {
    key: first.key,
    request: { ...first.request, tokens },
    fetchAgain: first.fetchAgain,
    waiters: groups.flatMap((g) => g.waiters),
  };
};

/**
 * Gap fills that come due at the same moment, grouped. Every gap of a session is due when that
 * session's bars are final, so after a failover or an outage the gaps of hundreds of instruments
 * come due together; grouped by their windows, they are a few backfills instead of one backfill
 * (two stage processes, a login) per instrument.
 */
export class GapFillBatches<R> {
  private readonly due = new Map<number, Map<string, GapFillGroup<R>>>();

  /** Adds a gap fill due at `readyAt`; true when it is the first for that moment (set an alarm). */
  add(readyAt: number, request: BackfillRequest, fetchAgain: boolean, waiter: GapWaiter<R>): boolean {
    const key = gapFillKey(request, fetchAgain);
    const batch = this.due.get(readyAt);
    const group: GapFillGroup<R> = { key, request, fetchAgain, waiters: [waiter] };
    if (batch === undefined) {
      this.due.set(readyAt, new Map([[key, group]]));
      return true;
    }
    const existing = batch.get(key);
    batch.set(key, existing === undefined ? group : (mergeGapFills([existing, group]) ?? group));
    return false;
  }

  /** The groups due at `readyAt`, removed: later gap fills for that moment start a new batch. */
  take(readyAt: number): readonly GapFillGroup<R>[] {
    const batch = this.due.get(readyAt);
    this.due.delete(readyAt);
    return batch === undefined ? [] : [...batch.values()];
  }

  clear(): void {
    this.due.clear();
  }
}
