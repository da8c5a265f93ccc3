import type { Instrument } from '../../domain/instrument.ts';
import {
  describeCollisions,
  isEmptyChange,
  onePerToken,
  selectionChange,
  type SelectionChange,
} from '../../domain/instrument-selection.ts';
import type { IstDate, IstTimeOfDay } from '../../domain/ist.ts';
import type { MarketSession } from '../../domain/market-session.ts';
import {
  instrumentsSelected,
  type SelectionReason,
  type SelectionEvent,
} from '../../domain/selection-events.ts';
import { nextSelectionRefresh } from '../../domain/selection-refresh-time.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventLog } from '../../ports/event-log/event-log.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { ClockAlarms, timerSchedule, type Schedule } from '../backfill/clock-alarms.ts';

/** The event log stream the selection's changes are recorded in. */
export const SELECTION_STREAM = 'selection';

/** The instruments a query selects on one day's instrument master. */
export interface Selection {
  readonly masterDay: IstDate;
  readonly instruments: readonly Instrument[];
}

/** Where the selection comes from: the query evaluated on the instrument master. */
export interface SelectionSource {
  /** The query as the operator wrote it (INSTRUMENTS_QUERY), for logs and events. */
  readonly query: string;
  /** Evaluates the query on today's master; `fresh`: download the master again even if today's copy is kept. */
  select(fresh: boolean, signal: AbortSignal): Promise<Selection>;
}

/** The running service's side: follow a change of the selection. */
export interface SelectionFollower {
  /** Subscribes what was added and drops what was removed; whether the feed took the change. */
  follow(change: SelectionChange, selected: readonly Instrument[]): boolean;
}

export interface SelectionRefreshDeps {
  readonly source: SelectionSource;
  readonly follower: SelectionFollower;
  readonly log: EventLog<SelectionEvent>;
  readonly clock: Clock;
  readonly session: MarketSession;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Timers; real ones unless a test passes its own. */
  readonly schedule?: Schedule;
}

export interface SelectionRefreshSettings {
  /** The IST time of day the selection is evaluated again, on each trading day. */
  readonly refreshAt: IstTimeOfDay;
  /** After a failed evaluation, the next try comes this much later (until the next day's refresh). */
  readonly retryMs: number;
  /** The most instruments the feed can follow (sockets × instruments per socket); a larger selection is refused. */
  readonly capacity: number;
}

export interface RunningSelectionRefresh {
  /** The instruments followed now. */
  current(): readonly Instrument[];
  /**
   * Evaluates the selection again now (a fresh master), follows the change and records it; resolves
   * with the change applied, or undefined when the selection could not be evaluated or was refused.
   * One evaluation at a time: a call during another waits for it.
   */
  refresh(reason: SelectionReason): Promise<SelectionChange | undefined>;
  stop(): Promise<void>;
}

/**
 * Keeps the followed instruments equal to what INSTRUMENTS_QUERY selects on the broker's instrument
 * master: evaluated again before each trading session (`refreshAt`) and on an operator's command, so
 * an expired contract leaves and a new one joins without a restart. Each change is one event in the
 * `selection` stream and one log line; an unchanged selection is one line and no event.
 */
export const startSelectionRefresh = (
  deps: SelectionRefreshDeps,
  settings: SelectionRefreshSettings,
  initial: Selection,
): RunningSelectionRefresh => {
  const { source, clock, logger, metrics } = deps;
  const selected = metrics.gauge(
    'instruments_selected',
    'Instruments the selection (INSTRUMENTS_QUERY) follows',
  );
  const changes = metrics.counter(
    'instrument_selection_changes_total',
    'Evaluations of the selection that changed the followed instruments',
  );
  const failures = metrics.counter(
    'instrument_selection_failures_total',
    'Evaluations of the selection that failed or were refused (the previous selection kept)',
  );
  const alarms = new ClockAlarms(clock, deps.schedule ?? timerSchedule);
  const abort = new AbortController();
  let followed = onePerToken(initial.instruments).kept;
  selected.set(followed.length);
  // Not awaited: an event log on Kafka may wait for Kafka, and the feed does not.
  void record('start', initial.masterDay, { added: followed, removed: [] });
  logger.info('Instruments selected', {
    query: source.query,
    masterDay: initial.masterDay,
    instruments: followed.length,
  });

  async function record(reason: SelectionReason, masterDay: IstDate, change: SelectionChange): Promise<void> {
    const event = instrumentsSelected(
      { reason, query: source.query, masterDay, selected: followed.length },
      change,
      clock.now(),
    );
    // The change is already followed: a log that cannot take the event costs the record, not the feed.
    await deps.log.append(SELECTION_STREAM, [event], 'any').catch((e: unknown) => {
      logger.error('Could not record the instrument selection', {
        error: e instanceof Error ? e.message : String(e),
      });
    });
  }

  const evaluate = async (reason: SelectionReason): Promise<SelectionChange | undefined> => {
    let next: Selection;
    try {
      next = await source.select(true, abort.signal);
    } catch (e) {
      if (abort.signal.aborted) return undefined;
      failures.inc();
      logger.warn('Could not evaluate the instrument selection; the instruments followed are kept', {
        query: source.query,
        error: e instanceof Error ? e.message : String(e),
      });
      return undefined;
    }
    const { kept, collisions } = onePerToken(next.instruments);
    // A master missing a segment that day must not unsubscribe everything.
    if (kept.length === 0) {
      failures.inc();
      logger.error('The instrument selection is empty on this master; the instruments followed are kept', {
        query: source.query,
        masterDay: next.masterDay,
      });
      return undefined;
    }
    if (collisions.length > 0)
      logger.warn('Tokens selected on two exchanges: the first kept, the others left out', {
        collisions: collisions.length,
        first: describeCollisions(collisions),
      });
    if (kept.length > settings.capacity) {
      failures.inc();
      logger.error(
        'The instrument selection is larger than the feed can follow; the instruments followed are kept',
        {
          query: source.query,
          selected: kept.length,
          capacity: settings.capacity,
        },
      );
      return undefined;
    }
    const change = selectionChange(followed, kept);
    if (isEmptyChange(change)) {
      logger.info('Instrument selection unchanged', {
        reason,
        masterDay: next.masterDay,
        instruments: kept.length,
      });
      return change;
    }
    if (!deps.follower.follow(change, kept))
      logger.error('The feed could not follow the whole change of the instrument selection', {
        added: change.added.length,
        removed: change.removed.length,
      });
    followed = kept;
    selected.set(kept.length);
    changes.inc();
    logger.info('Instrument selection changed', {
      reason,
      masterDay: next.masterDay,
      instruments: kept.length,
      added: change.added.length,
      removed: change.removed.length,
    });
    await record(reason, next.masterDay, change);
    return change;
  };

  let running: Promise<SelectionChange | undefined> = Promise.resolve(undefined);
  const refresh = (reason: SelectionReason): Promise<SelectionChange | undefined> =>
    (running = running
      .catch(() => undefined)
      .then(() => (abort.signal.aborted ? undefined : evaluate(reason)))
      .catch((e: unknown) => {
        failures.inc();
        logger.error('The instrument selection refresh failed; the instruments followed are kept', {
          error: e instanceof Error ? e.message : String(e),
        });
        return undefined;
      }));

  // A failed evaluation is tried again after `retryMs`, unless the next day's refresh comes first.
  const ring = (): void => {
    void refresh('daily-refresh').then((change) => {
      if (abort.signal.aborted) return;
      const nextDaily = nextSelectionRefresh(deps.session, clock.now(), settings.refreshAt);
      const retryAt = clock.now() + settings.retryMs;
      alarms.at(change === undefined ? Math.min(retryAt, nextDaily) : nextDaily, ring);
    });
  };
  alarms.at(nextSelectionRefresh(deps.session, clock.now(), settings.refreshAt), ring);

  return {
    current: () => followed,
    refresh,
    stop: async () => {
      abort.abort();
      alarms.cancelAll();
      await running.catch(() => undefined);
    },
  };
};
