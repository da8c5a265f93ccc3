import type { DowntimeCause, FeedGap, UnfollowedCause } from './feed-events.ts';
import type { InstrumentToken } from './instrument.ts';
import type { EpochMs } from './units.ts';

/**
 * A hand-over shorter than this opens no `failover` gap. A clean hand-over (a member leaving or
 * joining) costs a rebalance and a subscribe, a few hundred ms, and the shared checkpoint lags the
 * last tick by up to its 1 s period: together well under 3 s. A dead member is noticed only after
 * the group's session timeout, which Kafka bounds below by group.min.session.timeout.ms (6 s by
 * default), so every failover after a death is above it and on record. A shorter threshold would
 * backfill clean hand-overs' minutes for nothing; a longer one could miss a death's gap.
 */
export const FAILOVER_GAP_MIN_MS = 3000;

/** One token in the checkpoint a run leaves behind. */
export interface TokenCheckpoint {
  /** The tick time (exchange time, else receive time) of the newest tick of this token the sink accepted. */
  readonly lastAcceptedAt: EpochMs;
  /**
   * Set while the downtime after `lastAcceptedAt` is not on record yet: the run that wrote this saw
   * no tick of the token since (or could not record the gap), so the next run must open it.
   */
  readonly unrecorded?: DowntimeCause;
}

/** What a run says of itself while it runs (`stoppedCleanly` false) and once more at a clean stop. */
export interface RunCheckpoint {
  readonly writtenAt: EpochMs;
  readonly stoppedCleanly: boolean;
  readonly tokens: ReadonlyMap<InstrumentToken, TokenCheckpoint>;
}

/** What the previous run left behind, as a start finds it. */
export type PreviousRun =
  | { readonly kind: 'first-run' }
  | { readonly kind: 'checkpoint'; readonly checkpoint: RunCheckpoint }
  /** A checkpoint that cannot be read: only when it was last written is known. */
  | { readonly kind: 'unreadable'; readonly modifiedAt: EpochMs; readonly reason: string };

/**
 * A token's stretch without the service (or, in a cluster, without its dead owner), open until the
 * token's first tick here.
 */
export interface Downtime {
  readonly from: EpochMs;
  readonly cause: UnfollowedCause;
}

/**
 * Each token's downtime at start. After a checkpoint: from its last accepted tick, `stopped` when
 * the run stopped cleanly and `process-down` when it did not (a crash, or a stop past its grace);
 * a downtime carried over from an earlier run keeps `process-down` if any run in it crashed.
 * An unreadable checkpoint gives every token a `process-down` from when the file was last written:
 * a hole with no gap on record is worse than a gap whose start is a guess. The first run ever has
 * none. Tokens not subscribed now are dropped: nobody will fill them.
 */
export const downtimesAfter = (
  previous: PreviousRun,
  tokens: readonly InstrumentToken[],
): ReadonlyMap<InstrumentToken, Downtime> => {
  const downtimes = new Map<InstrumentToken, Downtime>();
  switch (previous.kind) {
    case 'first-run':
      return downtimes;
    case 'unreadable':
      for (const token of tokens) downtimes.set(token, { from: previous.modifiedAt, cause: 'process-down' });
      return downtimes;
    case 'checkpoint': {
      const { checkpoint } = previous;
      const ended: DowntimeCause = checkpoint.stoppedCleanly ? 'stopped' : 'process-down';
      for (const token of tokens) {
        const entry = checkpoint.tokens.get(token);
        if (entry === undefined) continue;
        const cause = entry.unrecorded === 'process-down' ? 'process-down' : ended;
        downtimes.set(token, { from: entry.lastAcceptedAt, cause });
      }
      return downtimes;
    }
  }
};

/**
 * The gap a downtime becomes once its token ticks again: from the last accepted tick to the first
 * tick of this run, the same bounds as a feed gap. A first tick stamped before the last accepted
 * one (a clock that went back) still gives a gap, of zero length: the downtime happened.
 */
export const downtimeGap = (token: InstrumentToken, downtime: Downtime, firstTickAt: EpochMs): FeedGap => ({
  tokens: [token],
  from: downtime.from,
  to: Math.max(downtime.from, firstTickAt) as EpochMs,
  cause: downtime.cause,
});

/**
 * The gap a downtime becomes at its token's first tick here, or none: a `failover` shorter than
 * FAILOVER_GAP_MIN_MS was a clean hand-over, not a stretch worth a backfill.
 */
export const gapOfDowntime = (
  token: InstrumentToken,
  downtime: Downtime,
  firstTickAt: EpochMs,
): FeedGap | undefined => {
  const gap = downtimeGap(token, downtime, firstTickAt);
  return gap.cause === 'failover' && gap.to - gap.from < FAILOVER_GAP_MIN_MS ? undefined : gap;
};

/**
 * Of two downtimes of one token, the one that bounds it: the later start. The token was followed
 * (here in an earlier run, or by another member) up to it, so the stretch before is no gap.
 */
export const laterDowntime = (a: Downtime | undefined, b: Downtime): Downtime =>
  a !== undefined && a.from > b.from ? a : b;

/** The gaps to open for the previous run's end, given each token's first tick of this run. */
export const downtimeGaps = (
  previous: PreviousRun,
  tokens: readonly InstrumentToken[],
  firstTicks: ReadonlyMap<InstrumentToken, EpochMs>,
): FeedGap[] => {
  const gaps: FeedGap[] = [];
  for (const [token, downtime] of downtimesAfter(previous, tokens)) {
    const first = firstTicks.get(token);
    if (first !== undefined) gaps.push(downtimeGap(token, downtime, first));
  }
  return gaps;
};

/**
 * The checkpoint this run writes: every token's last accepted tick, and the downtimes not yet on
 * record, carried with their start and cause so that the next run opens them.
 */
export const checkpointOf = (run: {
  readonly writtenAt: EpochMs;
  readonly stoppedCleanly: boolean;
  readonly lastAccepted: ReadonlyMap<InstrumentToken, EpochMs>;
  readonly unrecorded: ReadonlyMap<InstrumentToken, Downtime>;
}): RunCheckpoint => {
  const tokens = new Map<InstrumentToken, TokenCheckpoint>();
  for (const [token, at] of run.lastAccepted) tokens.set(token, { lastAcceptedAt: at });
  for (const [token, d] of run.unrecorded)
    // The run checkpoint knows downtimes only: a failover not yet on record is reopened by the
    // next run as a crash's gap, which it was (another instance's).
    tokens.set(token, {
      lastAcceptedAt: d.from,
      unrecorded: d.cause === 'failover' ? 'process-down' : d.cause,
    });
  return { writtenAt: run.writtenAt, stoppedCleanly: run.stoppedCleanly, tokens };
};
