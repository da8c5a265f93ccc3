import type { FeedGap } from '../../domain/feed-events.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Counter, Metrics } from '../../ports/metrics.ts';
import type { Pass, Stage } from './live-message.ts';

const MAX_GAPS_KEPT = 1000;

/**
 * Every gap that reaches it, the feed's own and those a stage before it found (silent
 * instruments): counted in `feed_gaps_total`, kept (the latest ones) for the status, logged.
 */
export class GapReportStage implements Stage {
  readonly name = 'gap-report';
  private readonly logger: Logger;
  private readonly counter: Counter;
  private readonly kept: FeedGap[] = [];

  constructor(deps: { readonly logger: Logger; readonly metrics: Metrics }) {
    this.logger = deps.logger;
    this.counter = deps.metrics.counter(
      'feed_gaps_total',
      'Gaps in the feed (disconnects, mute sockets, silent instruments)',
    );
  }

  /** The latest gaps, oldest first (the ledger keeps them all). */
  gaps(): FeedGap[] {
    return [...this.kept];
  }

  connect(next: Pass): Pass {
    return (message) => {
      if (message.kind === 'gap') this.report(message.gap);
      return next(message);
    };
  }

  private report(gap: FeedGap): void {
    this.kept.push(gap);
    if (this.kept.length > MAX_GAPS_KEPT) this.kept.shift();
    this.counter.inc();
    this.logger.warn('Feed gap', {
      cause: gap.cause,
      from: new Date(gap.from).toISOString(),
      to: new Date(gap.to).toISOString(),
      tokens: gap.tokens.length,
      ...(gap.tokens.length === 1 ? { token: gap.tokens[0] } : {}),
    });
  }
}

/** Hands each gap to whoever keeps them (the gap ledger, which has the backfill fill it). */
export const gapConsumerStage = (name: string, consume: (gap: FeedGap) => void): Stage => ({
  name,
  connect: (next) => (message) => {
    if (message.kind === 'gap') consume(message.gap);
    return next(message);
  },
});
