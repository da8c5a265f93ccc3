import { TooManyInstruments, type FeedSocketLimits } from '../../adapters/mstock/feed-socket-plan.ts';
import type { Exchange, Instrument, InstrumentToken } from '../../domain/instrument.ts';
import type { BackfillInstruments } from '../backfill/backfill-parent.ts';
import type { InstrumentQuery } from '../../domain/instrument-query.ts';
import { selectInstruments } from '../../domain/instrument-query-select.ts';
import { describeCollisions, onePerToken } from '../../domain/instrument-selection.ts';
import { istDateOf, type IstDate } from '../../domain/ist.ts';
import { instrumentOfMaster } from '../../domain/master-instrument.ts';
import type { Clock } from '../../ports/clock.ts';
import type { InstrumentMaster } from '../../ports/instrument-master.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Selection, SelectionSource } from '../live/selection-refresh.ts';
import { StartRefused } from './start-refused.ts';
import type { InstrumentChoice } from './startup.ts';

/**
 * INSTRUMENTS_QUERY over the broker's instrument master: `expiry=nearest` is counted from the IST
 * date of `clock`, so the same query moves to the next expiry the day after one expires. Rows the
 * master could not decode are reported once per copy, never thrown.
 */
export const masterSelectionSource = (
  query: InstrumentQuery,
  master: InstrumentMaster,
  clock: Clock,
  logger: Logger,
): SelectionSource => {
  let reportedDay: string | undefined;
  return {
    query: query.text,
    select: async (fresh, signal) => {
      const snapshot = await master.load({ fresh, signal });
      // A refresh that got the old copy back (the download failed) has nothing new to say: it
      // fails, so the followed instruments are kept and the refresh tried again soon.
      if (fresh && snapshot.source !== 'downloaded')
        throw new Error(
          `the instrument master could not be downloaded again (the copy of ${snapshot.day} is kept)`,
        );
      if (snapshot.badRows.count > 0 && reportedDay !== `${snapshot.day}:${snapshot.fetchedAt}`) {
        reportedDay = `${snapshot.day}:${snapshot.fetchedAt}`;
        logger.warn('Instrument master rows could not be read; they are left out', {
          day: snapshot.day,
          bad: snapshot.badRows.count,
          first: snapshot.badRows.first.map((r) => `line ${r.line}: ${r.reason}`).join('; '),
        });
      }
      const rows = selectInstruments(query, snapshot.instruments, istDateOf(clock.now()));
      return { masterDay: snapshot.day, instruments: rows.map(instrumentOfMaster) };
    },
  };
};

/**
 * The selection a service starts with, checked: not empty, one exchange per token (the others are
 * warned about), and no more than the feed's sockets can carry. A selection that fails stops the
 * start with a message naming the setting to change.
 */
export const checkedSelectionAtStart = (
  selection: Selection,
  what: string,
  limits: FeedSocketLimits | undefined,
  logger: Logger,
): readonly Instrument[] => {
  const { kept, collisions } = onePerToken(selection.instruments);
  if (kept.length === 0)
    throw new StartRefused(
      `${what} selects no instrument on the instrument master of ${selection.masterDay}; try it with \`tickflow instruments --query '...'\``,
    );
  if (collisions.length > 0)
    logger.warn('Tokens selected on two exchanges: the first kept, the others left out', {
      collisions: collisions.length,
      first: describeCollisions(collisions),
    });
  if (limits !== undefined && kept.length > limits.maxInstrumentsPerSocket * limits.maxSockets)
    throw new StartRefused(`${what}: ${new TooManyInstruments(kept.length, limits).message}`);
  return kept;
};

/**
 * The instruments followed now, for those that read them after a refresh: the backfill's default
 * instruments and candle paths, the candle reconciler, the ticks' exchange. An instrument that
 * leaves keeps its exchange here: its open gaps are still filled from the right segment.
 */
export class FollowedSelection implements BackfillInstruments {
  private instruments: readonly Instrument[];
  private followedTokens: readonly InstrumentToken[];
  private readonly exchanges = new Map<InstrumentToken, Exchange>();

  constructor(instruments: readonly Instrument[]) {
    this.instruments = instruments;
    this.followedTokens = instruments.map((i) => i.token);
    for (const i of instruments) this.exchanges.set(i.token, i.exchange);
  }

  get tokens(): readonly InstrumentToken[] {
    return this.followedTokens;
  }

  current(): readonly Instrument[] {
    return this.instruments;
  }

  /** The exchange of a token followed now or before; NSE for one never selected (INSTRUMENTS' bare tokens). */
  readonly exchangeOf = (token: InstrumentToken): Exchange => this.exchanges.get(token) ?? 'NSE';

  /** The exchange of a token followed now or before, or undefined: for stamping ticks. */
  readonly knownExchangeOf = (token: InstrumentToken): Exchange | undefined => this.exchanges.get(token);

  replace(instruments: readonly Instrument[]): void {
    for (const i of instruments) this.exchanges.set(i.token, i.exchange);
    this.instruments = instruments;
    this.followedTokens = instruments.map((i) => i.token);
  }
}

/** The selection a live service starts with, and what it came from. */
export interface StartSelection {
  readonly followed: FollowedSelection;
  readonly masterDay: IstDate;
  /** INSTRUMENTS_QUERY: evaluated again each trading day and on REFRESH_INSTRUMENTS. */
  readonly byQuery: boolean;
}

/**
 * Evaluates what to follow at start. The master cannot be had (no download, no copy), or the
 * query selects nothing or more than the sockets carry: the start stops with a message naming the
 * setting.
 */
export const selectionAtStart = async (
  choice: InstrumentChoice,
  source: SelectionSource,
  /** Undefined in a cluster: a member follows only its shards' share. */
  limits: FeedSocketLimits | undefined,
  logger: Logger,
): Promise<StartSelection> => {
  const what = choice.kind === 'query' ? 'INSTRUMENTS_QUERY' : 'INSTRUMENTS_FILE';
  let initial: Selection;
  try {
    initial = await source.select(false, new AbortController().signal);
  } catch (e) {
    throw new StartRefused(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const kept = checkedSelectionAtStart(initial, what, limits, logger);
  return {
    followed: new FollowedSelection(kept),
    masterDay: initial.masterDay,
    byQuery: choice.kind === 'query',
  };
};
