import { Container } from 'inversify';
import type { OtpPrompt } from '../../../adapters/mstock/session-manager.ts';
import { PrometheusMetrics } from '../../../adapters/prometheus/prometheus-metrics.ts';
import { startFeedRecording } from '../../../adapters/recording/feed-recorder.ts';
import type { Logger } from '../../../ports/logger/logger.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { bindBase } from './base-bindings.ts';
import { bindMstock } from './mstock-bindings.ts';
import type { InstrumentChoice } from '../startup.ts';
import { bindSelectionSource } from './selection-bindings.ts';
import { FeedRecordingId } from './tokens.ts';

export interface RecordInputs {
  readonly config: ServiceConfig;
  readonly logger: Logger;
  /** Where the session files go, and whether their blocks are gzipped. */
  readonly recording: { readonly dir: string; readonly compression: 'gzip' | 'none' };
  readonly promptOtp?: OtpPrompt;
  readonly instruments: InstrumentChoice;
}

/**
 * `tickflow record`: the m.Stock feed with the settings `live` gets, tapped by the session
 * recorder, and nothing to publish to. The recording starts with the container, before any login.
 */
export const buildRecordContainer = (inputs: RecordInputs): Container => {
  const c = new Container({ defaultScope: 'Singleton' });
  // Nothing scrapes a recorder's metrics; the registry only gives the adapters somewhere to count.
  const metrics = new PrometheusMetrics({ defaultMetrics: false });
  bindBase(c, { config: inputs.config, logger: inputs.logger, metrics });
  const recording = startFeedRecording({ ...inputs.recording, logger: inputs.logger, metrics });
  c.bind(FeedRecordingId).toConstantValue(recording);
  bindMstock(c, inputs.config, {
    feedTap: recording.tap,
    ...(inputs.promptOtp === undefined ? {} : { promptOtp: inputs.promptOtp }),
  });
  bindSelectionSource(c, inputs.instruments);
  return c;
};
