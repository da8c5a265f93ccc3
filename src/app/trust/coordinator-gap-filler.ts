import type { FeedGap } from '../../domain/feed-events.ts';
import { gapBackfill } from '../../domain/gap-backfill.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import type { BackfillCoordinator, GapFillResult } from '../backfill/backfill-coordinator.ts';
import type { GapFillOutcome, GapFiller } from './gap-ledger-writer.ts';

export const fillOutcomeOf = (r: GapFillResult): GapFillOutcome => {
  switch (r.kind) {
    case 'nothing-to-fill':
      return { kind: 'nothing-to-fill' };
    case 'finished':
      return { kind: 'backfilled', coverage: r.coverage };
    case 'refused':
      return { kind: 'failed', reason: r.reason };
    case 'job':
      // A failed job may have published some chunks: the gap stays open, and is asked again whole.
      return r.outcome.status === 'succeeded'
        ? { kind: 'backfilled', coverage: r.coverage }
        : { kind: 'failed', reason: `backfill ${r.outcome.planId} ${r.outcome.status}` };
  }
};

/**
 * Gaps to the backfill coordinator. A gap with no session minute in it is settled at once; the
 * others wait for the coordinator (it starts in the background and may wait for Redis), then for
 * their job. A second attempt fetches again even if a plan for the same bars finished. Stopped
 * before either, the promise never settles and the gap stays open in the ledger.
 */
export const coordinatorGapFiller =
  (current: () => BackfillCoordinator | undefined, session: MarketSession, pollMs = 1000): GapFiller =>
  (gap: FeedGap, attempt: number) =>
    new Promise<GapFillOutcome>((resolve) => {
      if (gapBackfill(gap, session) === undefined) {
        resolve({ kind: 'nothing-to-fill' });
        return;
      }
      const hand = (): void => {
        const coordinator = current();
        if (coordinator === undefined) {
          setTimeout(hand, pollMs).unref();
          return;
        }
        coordinator.fillGap(gap, (r) => resolve(fillOutcomeOf(r)), { fetchAgain: attempt > 1 });
      };
      hand();
    });
