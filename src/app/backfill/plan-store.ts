import type { PlanEvent, PlanId, PlanState } from '../../domain/backfill-plan-types.ts';
import { foldPlan } from '../../domain/backfill-plan-queries.ts';
import type { Shard } from '../../domain/shard.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { EventLog } from '../../ports/event-log/event-log.ts';
import type {
  BackfillLogEvent,
  HandedRequest,
  PlanIndexEvent,
} from '../../ports/event-log/streams/plan-event-codec.ts';

/** A plan as stored: its folded state and the stream version it was folded at. */
export interface LoadedPlan {
  readonly state: PlanState;
  readonly version: number;
}

/**
 * A shard's index, newest entry: the plan worked on last (if any), whether its owner let go of the
 * shard (moved, stopped), and what it handed on with it (backfills queued and not begun).
 */
export interface ShardPlan {
  readonly planId: PlanId | undefined;
  readonly released: boolean;
  readonly pending: readonly HandedRequest[];
}

/** The stream of one plan's events. */
export const planStream = (id: PlanId): string => `backfill-${id}`;
/** The index of plans; `.` cannot follow `backfill` in a plan stream, so no plan id can collide with it. */
export const PLAN_INDEX_STREAM = 'backfill.index';
/** A shard's index of plans (cluster); the `.` keeps it apart from plan streams, as for the index. */
export const shardIndexStream = (shard: Shard): string => `backfill.shard-${shard}`;

export interface PlanStoreOptions {
  /**
   * The log is shared by cluster members (CLUSTER_GROUP): the plan-wide index, which every member
   * would append to, is neither written nor read (two writers of one stream corrupt a Kafka log);
   * each shard's index, written by the shard's owner only, takes its place.
   */
  readonly sharedByMembers?: boolean;
}

const isPlanEvent = (e: BackfillLogEvent): e is PlanEvent =>
  e.type !== 'PlanStarted' && e.type !== 'ShardQueued' && e.type !== 'ShardReleased';

/**
 * Backfill plans in the event log: one stream per plan (`backfill-<planId>`), appended with
 * expected versions so a second writer is refused rather than interleaved, and an index stream
 * whose newest entry names the plan worked on last, which a restarted service resumes. In a
 * cluster, one index per shard instead: the shard's owner names the plan it works on
 * (`PlanStarted`) and says when it lets go of it (`ShardReleased`). The shard's assignment is the
 * single-writer fence of its streams: only its owner appends to its index and its plans.
 */
export class PlanStore {
  private readonly log: EventLog<BackfillLogEvent>;
  private readonly shared: boolean;

  constructor(log: EventLog<BackfillLogEvent>, options: PlanStoreOptions = {}) {
    this.log = log;
    this.shared = options.sharedByMembers === true;
  }

  async load(id: PlanId): Promise<LoadedPlan> {
    const stored = await this.log.read(planStream(id));
    const events = stored.map((s) => s.event).filter(isPlanEvent);
    return { state: foldPlan(events), version: stored.at(-1)?.version ?? 0 };
  }

  /** Appends after `expected` events; rejects with `ConcurrencyConflict` if the stream moved on. */
  async append(id: PlanId, events: readonly PlanEvent[], expected: number): Promise<number> {
    const r = await this.log.append(planStream(id), events, expected === 0 ? 'no-stream' : expected);
    return r.version;
  }

  /** The plan a job last started (or resumed), if any; never, in a log shared by cluster members. */
  async latest(): Promise<PlanId | undefined> {
    if (this.shared) return undefined;
    const last = await this.newest(PLAN_INDEX_STREAM);
    return last?.type === 'PlanStarted' ? last.data.planId : undefined;
  }

  async markLatest(id: PlanId, at: EpochMs): Promise<void> {
    if (this.shared || (await this.latest()) === id) return;
    await this.log.append(PLAN_INDEX_STREAM, [{ type: 'PlanStarted', data: { planId: id, at } }], 'any');
  }

  /**
   * The newest entry of the shard's index, if it has one: `PlanStarted` (its owner works on the
   * plan) or `ShardQueued` (it has a backfill of the shard queued) say it holds on; `ShardReleased`
   * that it let go.
   */
  async shardPlan(shard: Shard): Promise<ShardPlan | undefined> {
    const last = await this.newest(shardIndexStream(shard));
    if (last === undefined) return undefined;
    switch (last.type) {
      case 'PlanStarted':
        return { planId: last.data.planId, released: false, pending: [] };
      case 'ShardQueued':
        return { planId: last.data.planId ?? undefined, released: false, pending: [] };
      case 'ShardReleased':
        return { planId: last.data.planId ?? undefined, released: true, pending: last.data.pending };
    }
  }

  /** The shard's owner queued a backfill of it: a next owner waits for the release that hands it on. */
  async markShardQueued(shard: Shard, at: EpochMs): Promise<void> {
    const now = await this.shardPlan(shard);
    if (now !== undefined && !now.released) return;
    await this.appendIndex(shard, { type: 'ShardQueued', data: { planId: now?.planId ?? null, at } });
  }

  /** The shard's owner starts (or resumes) work on this plan. */
  async markShardPlan(shard: Shard, id: PlanId, at: EpochMs): Promise<void> {
    const last = await this.newest(shardIndexStream(shard));
    if (last?.type === 'PlanStarted' && last.data.planId === id) return;
    await this.appendIndex(shard, { type: 'PlanStarted', data: { planId: id, at } });
  }

  /**
   * The shard's owner lets go of it: of the plan it worked on last (the plan itself says whether it
   * finished), handing on the backfills it had queued for the shard and not begun. Nothing is
   * written when nothing is handed on and the index says so already, or is empty (what an earlier
   * release handed on is kept).
   */
  async releaseShard(shard: Shard, pending: readonly HandedRequest[], at: EpochMs): Promise<void> {
    const now = await this.shardPlan(shard);
    if ((now === undefined || now.released) && pending.length === 0) return;
    await this.appendIndex(shard, {
      type: 'ShardReleased',
      data: { planId: now?.planId ?? null, pending, at },
    });
  }

  /** Makes the next reads see what other members appended (a shard taken over from another). */
  refresh(): Promise<void> {
    return this.log.refresh();
  }

  private async appendIndex(shard: Shard, entry: PlanIndexEvent): Promise<void> {
    await this.log.append(shardIndexStream(shard), [entry], 'any');
  }

  private async newest(stream: string): Promise<PlanIndexEvent | undefined> {
    const last = (await this.log.read(stream)).at(-1)?.event;
    return last === undefined || isPlanEvent(last) ? undefined : last;
  }
}
