import 'reflect-metadata';

/**
 * The composition root: the one place that knows which adapter serves which port, with one binding
 * set per mode, each in `container/`: live and demo (`buildContainer`), record, replay, and the
 * backfill's parent and stage processes. Everything else asks a container for its ports; adapters
 * never see one.
 */
export { buildContainer, type ContainerInputs, type SinkChoice } from './container/live-container.ts';
export * from './container/tokens.ts';
export { buildRecordContainer, type RecordInputs } from './container/record-container.ts';
export {
  buildReplayContainer,
  type ReplayInputs,
  type ReplaySinkChoice,
} from './container/replay-container.ts';
export { buildBackfillContainer, type BackfillInputs } from './container/backfill-container.ts';
export { backfillSinkSettings, buildStageContainer, type StageInputs } from './container/stage-container.ts';
export { mstockCredentialsOf } from './container/mstock-bindings.ts';
