import type { PlanId } from '../../domain/backfill-plan-types.ts';
import type { Shard } from '../../domain/shard.ts';
import type { HandedRequest } from '../../ports/event-log/streams/plan-event-codec.ts';
import type { PlanStore } from './plan-store.ts';

export interface HandoffSettings {
  /**
   * How long a shard's new owner waits for the previous one to let go of a running plan (to stop its
   * job, record what it had in hand, and say so in the shard's index) before resuming it anyway:
   * a member that died never says so. Longer than a job takes to stop.
   */
  readonly waitMs: number;
  /** How often the shared log is read again meanwhile. */
  readonly pollMs: number;
}

export const DEFAULT_HANDOFF: HandoffSettings = { waitMs: 45_000, pollMs: 1000 };

/** What a gained shard's previous owner left to do: a plan still running, backfills not begun. */
export interface PlanLeft {
  readonly shard: Shard;
  /** The plan to resume, when it is still `running`. */
  readonly planId: PlanId | undefined;
  readonly pending: readonly HandedRequest[];
  /** False when its owner never said it let go (it died, or took longer than the wait). */
  readonly released: boolean;
}

export interface HandoffDeps {
  readonly store: PlanStore;
  /** True when this member needs the shard's plan no longer: it stopped, or lost the shard again. */
  readonly abandoned: (shard: Shard) => boolean;
  /** True when this member works on the plan already (running or queued here). */
  readonly here: (planId: PlanId) => boolean;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Finds, for each shard gained, what its previous owner left to do, once that owner let go of the
 * shard: reads the shared log again (other members appended to it), then each shard's index. An
 * index whose newest entry says its owner still works on a plan is looked at again every `pollMs`
 * until the owner lets go, or `waitMs` passed (it died). Calls `onPlan` for each shard with a
 * plan still `running` or backfills handed on, as soon as it is known.
 */
export const takeOverPlans = async (
  deps: HandoffDeps,
  shards: readonly Shard[],
  settings: HandoffSettings,
  onPlan: (left: PlanLeft) => void,
): Promise<void> => {
  const tries = Math.max(1, Math.ceil(settings.waitMs / settings.pollMs));
  let waiting = [...shards];
  for (let attempt = 1; waiting.length > 0; attempt += 1) {
    await deps.store.refresh();
    const still: Shard[] = [];
    for (const shard of waiting) {
      if (deps.abandoned(shard)) continue;
      const newest = await deps.store.shardPlan(shard);
      if (newest === undefined || (newest.planId !== undefined && deps.here(newest.planId))) continue;
      if (!newest.released && attempt < tries) {
        still.push(shard);
        continue;
      }
      const running =
        newest.planId !== undefined && (await deps.store.load(newest.planId)).state.status === 'running'
          ? newest.planId
          : undefined;
      if (running !== undefined || newest.pending.length > 0)
        onPlan({ shard, planId: running, pending: newest.pending, released: newest.released });
    }
    waiting = still;
    if (waiting.length > 0) await deps.sleep(settings.pollMs);
  }
};
