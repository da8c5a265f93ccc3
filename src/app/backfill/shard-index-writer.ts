import type { PlanId } from '../../domain/backfill-plan-types.ts';
import type { Shard } from '../../domain/shard.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { Clock } from '../../ports/clock.ts';
import type { HandedRequest } from '../../ports/event-log/streams/plan-event-codec.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { BackfillRequest } from './plan-request.ts';
import type { PlanStore } from './plan-store.ts';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A start-up or command request of a shard as handed to its next owner; a gap fill is not handed on. */
export const handedRequestOf = (
  request: BackfillRequest,
  origin: 'start' | 'command' | 'gap',
): HandedRequest | undefined =>
  origin === 'gap' || request.span.kind !== 'days'
    ? undefined
    : {
        id: request.id ?? null,
        tokens: request.tokens,
        interval: request.interval,
        days: request.span.days,
        origin,
      };

/**
 * What a cluster member writes to its shards' indexes (`PlanStore`): a backfill queued, a plan
 * started, the shard let go with the backfills not begun handed on. One write at a time, in the
 * order asked: a next owner acts on the newest entry, so a release must never be overtaken. A
 * failed write is logged; the next owner then waits for a release that does not come (a while).
 */
export class ShardIndexWriter {
  private readonly store: PlanStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private writes: Promise<void> = Promise.resolve();
  /** Lost shards' backfills not begun, for their release to hand on. */
  private readonly handing = new Map<Shard, HandedRequest[]>();

  constructor(store: PlanStore, clock: Clock, logger: Logger) {
    this.store = store;
    this.clock = clock;
    this.logger = logger;
  }

  /** A backfill of the shard waits here: its next owner must wait for the release that hands it on. */
  queued(shard: Shard): void {
    void this.write('queued', shard, (at) => this.store.markShardQueued(shard, at));
  }

  started(shard: Shard, planId: PlanId): Promise<void> {
    return this.write('started', shard, (at) => this.store.markShardPlan(shard, planId, at));
  }

  /** Keeps a backfill of the shard, not begun, for its release to hand on. */
  hand(shard: Shard, request: HandedRequest): void {
    this.handing.set(shard, [...(this.handing.get(shard) ?? []), request]);
  }

  /** The shards with backfills kept for their release. */
  handingOver(): Shard[] {
    return [...this.handing.keys()];
  }

  /** The shard let go, with the backfills kept for it. */
  release(shard: Shard): Promise<void> {
    const pending = this.handing.get(shard) ?? [];
    this.handing.delete(shard);
    return this.write('release', shard, (at) => this.store.releaseShard(shard, pending, at));
  }

  private write(what: string, shard: Shard, write: (at: EpochMs) => Promise<void>): Promise<void> {
    const written = this.writes.then(() =>
      write(this.clock.now()).catch((e: unknown) =>
        this.logger.error('Could not write to the shard’s backfill index', {
          what,
          shard,
          error: messageOf(e),
        }),
      ),
    );
    this.writes = written;
    return written;
  }
}
