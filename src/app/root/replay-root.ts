import { either as E } from 'fp-ts';
import type { ReplayBrokerFeed } from '../../adapters/replay/replay-broker-feed.ts';
import { ClockId, type Clock } from '../../ports/clock.ts';
import { MetricsId, type Metrics } from '../../ports/metrics.ts';
import { TickSinkId, type TickSink } from '../../ports/tick-sink/tick-sink.ts';
import type { TickScreen } from '../trust/tick-screen.ts';
import {
  buildReplayContainer,
  replayQuarantineTopic,
  type ReplayInputs,
} from './container/replay-container.ts';
import { QuarantinePublisherId, ReplayScreenId } from './container/replay-tokens.ts';
import { ReplayFeedId } from './container/tokens.ts';

/** A replay ready to run: its feed, its sink, and (unless unscreened) its screen. */
export interface OpenedReplay {
  /** The replay feed as itself: the CLI reads its report for the progress line. */
  readonly feed: ReplayBrokerFeed;
  readonly sink: TickSink;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly screening?: {
    readonly screen: TickScreen;
    /** Where quarantined ticks go, in the summary's words. */
    readonly destination: string;
  };
  /** Closes the sink, then the quarantine. */
  close(): Promise<void>;
}

/** What could not be opened, and why; nothing is left open. */
export interface ReplayOpenFailure {
  readonly what: 'sink' | 'quarantine';
  readonly message: string;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The composition root of `tickflow replay`: the replay container, resolved here, in the order a
 * failure must stop at: the sink (an NDJSON file that cannot be opened is named), then the
 * quarantine, which closes the sink again if it cannot be opened.
 */
export const openReplay = async (
  inputs: ReplayInputs & { readonly screened: boolean },
): Promise<E.Either<ReplayOpenFailure, OpenedReplay>> => {
  const container = buildReplayContainer(inputs);
  const choice = inputs.sink;
  let sink: TickSink;
  try {
    sink = await container.getAsync(TickSinkId);
  } catch (e) {
    const message = messageOf(e);
    return E.left({
      what: 'sink',
      message: choice.kind === 'ndjson' ? `${choice.path}: ${message}` : message,
    });
  }
  const opened = {
    feed: container.get(ReplayFeedId),
    sink,
    metrics: container.get(MetricsId),
    clock: container.get(ClockId),
  };
  if (!inputs.screened) return E.right({ ...opened, close: () => sink.close() });
  let screen: TickScreen;
  try {
    screen = await container.getAsync(ReplayScreenId);
  } catch (e) {
    await sink.close();
    return E.left({ what: 'quarantine', message: messageOf(e) });
  }
  const quarantine = await container.getAsync(QuarantinePublisherId);
  const destination =
    choice.kind === 'kafka'
      ? `Kafka topic ${replayQuarantineTopic(inputs.config, choice.settings.topic)}`
      : 'the log only';
  return E.right({
    ...opened,
    screening: { screen, destination },
    close: async () => {
      await sink.close();
      await quarantine.close();
    },
  });
};
