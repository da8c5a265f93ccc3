import type { ServiceIdentifier } from 'inversify';
import type { BackfillCoordinator } from '../../backfill/backfill-coordinator.ts';
import type { BackfillInstruments, BackfillParent } from '../../backfill/backfill-parent.ts';
import type { PlanStore } from '../../backfill/plan-store.ts';
import type { StageWorker } from '../../../ports/backfill-stages/stage-worker.ts';

// The backfill modes' own tokens: the parent's use cases, and each stage process's worker.
export const BackfillInstrumentsId: ServiceIdentifier<BackfillInstruments> = Symbol.for(
  'tickflow.BackfillInstruments',
);
export const PlanStoreId: ServiceIdentifier<PlanStore> = Symbol.for('tickflow.PlanStore');
export const BackfillParentId: ServiceIdentifier<BackfillParent> = Symbol.for('tickflow.BackfillParent');
export const BackfillCoordinatorId: ServiceIdentifier<BackfillCoordinator> = Symbol.for(
  'tickflow.BackfillCoordinator',
);
export const FetchWorkerId: ServiceIdentifier<StageWorker> = Symbol.for('tickflow.FetchWorker');
export const PublishWorkerId: ServiceIdentifier<StageWorker> = Symbol.for('tickflow.PublishWorker');
