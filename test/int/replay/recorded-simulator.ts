import { simulatorCredentials } from '../../../src/dev/demo/simulator-env.ts';
import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { createMstockAdapters } from '../../../src/adapters/mstock/create-mstock-adapters.ts';
import { mstockSettings } from '../../../src/adapters/mstock/mstock-settings.ts';
import { startFeedRecording, type FeedRecording } from '../../../src/adapters/recording/feed-recorder.ts';
import { systemClock } from '../../../src/adapters/system/system-clock.ts';
import { type RunningSimulator } from '../../../src/simulator/index.ts';
import type { Exchange, InstrumentToken } from '../../../src/domain/instrument.ts';

/**
 * The m.Stock adapters pointed at a running simulator, their feed recorded into `dir` as `live`
 * records it with RECORD_FRAMES=true (blocks sealed often, so the test sees several).
 */
export const recordedAdapters = (
  sim: RunningSimulator,
  dir: string,
  options: { readonly exchangeOf?: (token: InstrumentToken) => Exchange | undefined } = {},
) => {
  const logger = new MemoryLogger('warn');
  const metrics = new MemoryMetrics();
  const recording: FeedRecording = startFeedRecording({
    dir,
    logger,
    metrics,
    flushIntervalMs: 50,
    maxBlockBytes: 8 * 1024,
  });
  const adapters = createMstockAdapters({
    credentials: simulatorCredentials,
    settings: mstockSettings({
      apiUrl: sim.url,
      feed: {
        wsUrl: sim.wsUrl,
        staleAfterMs: 60_000,
        reconnectBackoff: { initialMs: 50, maxMs: 200, multiplier: 2 },
      },
    }),
    clock: systemClock,
    logger,
    metrics,
    feedTap: recording.tap,
    ...(options.exchangeOf === undefined ? {} : { exchangeOf: options.exchangeOf }),
  });
  return { ...adapters, recording, logger, metrics };
};
