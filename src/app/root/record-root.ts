import type { MstockAdapters } from '../../adapters/mstock/create-mstock-adapters.ts';
import type { FeedRecording } from '../../adapters/recording/feed-recorder.ts';
import { buildRecordContainer, type RecordInputs } from './container/record-container.ts';
import { FeedRecordingId, MstockAdaptersId, SelectionSourceId } from './container/tokens.ts';
import type { SelectionSource } from '../live/selection-refresh.ts';

/** What `tickflow record` runs: the m.Stock feed, tapped by the session recorder. */
export interface RecordSession {
  /** Started with the session, before any login; its summary is the command's report. */
  readonly recording: FeedRecording;
  /** The feed to follow, the login to close, and the masker for the command's own errors. */
  readonly mstock: MstockAdapters;
  /** What to record: the fixed list, or INSTRUMENTS_QUERY on the broker's master. */
  readonly selection: SelectionSource;
}

/** The composition root of `tickflow record`: the record container, resolved here. */
export const composeRecord = (inputs: RecordInputs): RecordSession => {
  const container = buildRecordContainer(inputs);
  return {
    recording: container.get(FeedRecordingId),
    mstock: container.get(MstockAdaptersId),
    selection: container.get(SelectionSourceId),
  };
};
