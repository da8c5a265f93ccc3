import type { Clock } from '../../ports/clock.ts';
import type { ChunkFileStore } from '../../ports/backfill-stages/chunk-file-store.ts';
import type { StageChildContext, StageWorker } from '../../ports/backfill-stages/stage-worker.ts';
import type { HistoricalData } from '../../ports/historical-data.ts';
import type { TickSink } from '../../ports/tick-sink/tick-sink.ts';
import { FetchStage, type FetchFailure } from './fetch-stage.ts';
import { PublishStage } from './publish-stage.ts';

/** The fetch stage as a process's worker: `fetch` messages queue chunks. */
export const fetchWorker = (
  context: StageChildContext,
  ports: {
    readonly historical: HistoricalData;
    readonly files: ChunkFileStore;
    readonly classify: (error: unknown) => FetchFailure;
  },
): StageWorker => {
  const stage = new FetchStage({
    ...ports,
    logger: context.logger,
    send: context.send,
    onFatal: context.fatal,
    onCrash: context.crash,
  });
  return {
    handle: (message) => {
      if (message.type === 'fetch') stage.enqueue(message.items);
      else context.logger.warn('The fetch stage ignores this message', { type: message.type });
    },
    close: () => stage.stop(),
  };
};

/** The publish stage as a process's worker: `publish` messages queue data files; closing closes the sink. */
export const publishWorker = (
  context: StageChildContext,
  ports: { readonly sink: TickSink; readonly files: ChunkFileStore; readonly clock: Clock },
): StageWorker => {
  const stage = new PublishStage({
    ...ports,
    logger: context.logger,
    send: context.send,
    onCrash: context.crash,
  });
  return {
    handle: (message) => {
      if (message.type === 'publish') stage.enqueue(message.items);
      else context.logger.warn('The publish stage ignores this message', { type: message.type });
    },
    close: async () => {
      await stage.stop();
      await ports.sink.close();
    },
  };
};
