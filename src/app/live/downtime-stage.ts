import type { DowntimeRecorder } from '../trust/downtime-recorder.ts';
import type { Stage } from './live-message.ts';

/**
 * The downtime checkpoint follows the instruments: it watches the sink itself (what counts is an
 * accepted tick), so on the path it only learns of instruments added or removed.
 */
export const downtimeStage = (recorder: DowntimeRecorder): Stage => ({
  name: 'downtime',
  connect: (next) => (message) => {
    if (message.kind === 'instruments') recorder.follow(message.added, message.removed);
    return next(message);
  },
});
