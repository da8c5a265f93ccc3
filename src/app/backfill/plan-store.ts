import type { PlanEvent, PlanId, PlanState } from '../../domain/backfill-plan-types.ts';
import { foldPlan } from '../../domain/backfill-plan-queries.ts';
import type { EpochMs } from '../../domain/units.ts';
import type { EventLog } from '../../ports/event-log/event-log.ts';
import type { BackfillLogEvent } from '../../ports/event-log/streams/plan-event-codec.ts';

/** A plan as stored: its folded state and the stream version it was folded at. */
export interface LoadedPlan {
  readonly state: PlanState;
  readonly version: number;
}

/** The stream of one plan's events. */
export const planStream = (id: PlanId): string => `backfill-${id}`;
/** The index of plans; `.` cannot follow `backfill` in a plan stream, so no plan id can collide with it. */
export const PLAN_INDEX_STREAM = 'backfill.index';

/**
 * Backfill plans in the event log: one stream per plan (`backfill-<planId>`), appended with
 * expected versions so a second writer is refused rather than interleaved, and an index stream
 * whose newest entry names the plan worked on last, which a restarted service resumes.
 */
export class PlanStore {
  private readonly log: EventLog<BackfillLogEvent>;

  constructor(log: EventLog<BackfillLogEvent>) {
    this.log = log;
  }

  async load(id: PlanId): Promise<LoadedPlan> {
    const stored = await this.log.read(planStream(id));
    const events = stored.map((s) => s.event).filter((e): e is PlanEvent => e.type !== 'PlanStarted');
    return { state: foldPlan(events), version: stored.at(-1)?.version ?? 0 };
  }

  /** Appends after `expected` events; rejects with `ConcurrencyConflict` if the stream moved on. */
  async append(id: PlanId, events: readonly PlanEvent[], expected: number): Promise<number> {
    const r = await this.log.append(planStream(id), events, expected === 0 ? 'no-stream' : expected);
    return r.version;
  }

  /** The plan a job last started (or resumed), if any. */
  async latest(): Promise<PlanId | undefined> {
    const entries = await this.log.read(PLAN_INDEX_STREAM);
    const last = entries.at(-1)?.event;
    return last?.type === 'PlanStarted' ? last.data.planId : undefined;
  }

  async markLatest(id: PlanId, at: EpochMs): Promise<void> {
    if ((await this.latest()) === id) return;
    await this.log.append(PLAN_INDEX_STREAM, [{ type: 'PlanStarted', data: { planId: id, at } }], 'any');
  }
}
