import type { TickTimeZone } from '../protocol/mstock/feed-time.ts';
import type { InstrumentToken } from '../domain/instrument.ts';
import type { Tick } from '../domain/tick.ts';
import type { EpochMs } from '../domain/units.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger/logger.ts';
import type { Metrics } from '../ports/metrics.ts';
import {
  isDamage,
  type ReplayFeed,
  type ReplayProgress,
  type ReplaySpeed,
  type SourceEnding,
} from '../ports/replay-feed.ts';
import type { TickSink } from '../ports/tick-sink/tick-sink.ts';
import { FeedIngestion } from './live/ingest-feed.ts';

export interface ReplayRequest {
  /** Session files, NDJSON tick files, or directories of session files; played in this order. */
  readonly paths: readonly string[];
  readonly speed: ReplaySpeed;
  readonly from?: EpochMs;
  readonly to?: EpochMs;
  /** Only these tokens; all recorded ones when absent. */
  readonly tokens?: readonly InstrumentToken[];
  /** Replayed live ticks carry `source: 'replay'` instead of the recorded `'live'`. */
  readonly markReplay: boolean;
  /** Decode session frames with this tick time zone instead of the recorded one. */
  readonly tickTimeZone?: TickTimeZone;
}

export interface ReplayDeps {
  /** The replay feed over the opened sources (the container builds it from the request). */
  readonly feed: ReplayFeed;
  readonly sink: TickSink;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The wall clock, for pacing; never a tick's time. */
  readonly clock: Clock;
  /**
   * The same validating screen live runs (TickScreen): what live quarantined, the replay
   * quarantines too, so the sink gets what the live run published. Absent: every tick passes.
   */
  readonly screen?: (ticks: readonly Tick[], receivedAt: EpochMs) => readonly Tick[];
}

export interface ReplaySummary {
  readonly report: ReplayProgress;
  readonly accepted: number;
  readonly rejected: number;
  /** Ticks the screen held back (to quarantine). */
  readonly quarantined: number;
  readonly endings: readonly { readonly path: string; readonly ending: SourceEnding }[];
  /** A file ended in damage (truncated, corrupt, unreadable): replayed up to there. */
  readonly damaged: boolean;
  /** Stopped by the signal before the end. */
  readonly aborted: boolean;
}

/**
 * The replay use case: plays every source (opened and checked first, so that a bad file is
 * refused before any sink is opened) through the same live path live runs, into the sink, so what
 * reaches the sink is what the live run published from the same frames. Resolves once each
 * publish is settled; the sink stays open: the caller closes it.
 */
export const runReplay = async (
  deps: ReplayDeps,
  request: Pick<ReplayRequest, 'tokens'>,
  signal: AbortSignal,
): Promise<ReplaySummary> => {
  const { feed } = deps;
  const ingestion = new FeedIngestion(
    { feed, sink: deps.sink, logger: deps.logger, metrics: deps.metrics, clock: deps.clock },
    { maxInFlight: 64, ...(deps.screen === undefined ? {} : { screen: deps.screen }) },
  );
  // The mode is the recording's own; the tokens filter as a subscription does (none: all).
  await ingestion.run({ tokens: request.tokens ?? [], mode: 'full' }, signal);
  const report = feed.report;
  const endings = report.sources.map((s) => ({
    path: s.path,
    ending: s.ending ?? { kind: 'stopped' as const },
  }));
  const status = ingestion.snapshot();
  return {
    report,
    accepted: status.ticksAccepted,
    rejected: status.ticksRejected,
    quarantined: status.ticksQuarantined,
    endings,
    damaged: endings.some((e) => isDamage(e.ending)),
    aborted: signal.aborted,
  };
};
