import 'reflect-metadata';

/**
 * The composition root: the one place that knows which adapter serves which port, with one binding
 * set per mode, each in `container/`: live and demo (`buildContainer`), record, replay, and the
 * backfill's parent and stage processes. Each mode's root resolves its container at its entry
 * point (live-pipeline.ts, record-root.ts, replay-root.ts, backfill-root.ts, stage-root.ts); use
 * cases take their ports as arguments, and adapters never see a container.
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
export { startControlPublishers, type ControlPublishersTarget } from './container/control-publishers.ts';
