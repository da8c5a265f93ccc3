import type { IstDate } from '../domain/ist.ts';
import type { MarketSession } from '../domain/market-session.ts';
import { weeklyExpiries, monthlyExpiries } from './contract-expiries.ts';
import { futureRow, optionChainRows } from './derivative-rows.ts';
import type { SimInstrument } from './instrument-list.ts';
import { buildLargeMaster, UNDERLYINGS, type LargeMaster } from './large-master.ts';
import {
  instrumentOfRow,
  isDerivativeRow,
  MASTER_CSV_HEADER,
  masterCsvLine,
  type MasterRow,
} from './master-row.ts';

/** What a roll changed: the expiry that left and the one listed in its place. */
export interface ExpiryRoll {
  readonly expired: string;
  /** The expiries of the contracts listed in its place (a week's options, a month's futures). */
  readonly listed: readonly string[];
  readonly delisted: readonly number[];
  readonly added: readonly number[];
}

/**
 * The instrument master of `--universe large` as it stands now: its rows, each row's instrument
 * by token, and the CSV `GET /instruments/scriptmaster` serves. A roll takes the nearest expiry's
 * contracts out and lists a later expiry's, as a new trading week does.
 */
export class SimUniverse {
  readonly #session: MarketSession;
  readonly #today: IstDate;
  readonly #master: LargeMaster;
  #rows: MasterRow[];
  readonly instruments = new Map<number, SimInstrument>();
  #csv: string | undefined;

  constructor(base: readonly SimInstrument[], seed: number, session: MarketSession, today: IstDate) {
    this.#session = session;
    this.#today = today;
    this.#master = buildLargeMaster(base, seed, session, today);
    this.#rows = [...this.#master.rows];
    for (const r of this.#rows) this.instruments.set(r.token, instrumentOfRow(r));
  }

  get rows(): readonly MasterRow[] {
    return this.#rows;
  }

  csv(): string {
    this.#csv ??= `${[MASTER_CSV_HEADER, ...this.#rows.map(masterCsvLine)].join('\n')}\n`;
    return this.#csv;
  }

  /**
   * Delists every contract of the nearest expiry and lists, for what left, the next expiry after
   * the last one listed: a weekly expiry's option chains, a monthly expiry's futures.
   */
  rollExpiry(): ExpiryRoll {
    const contracts = this.#rows.filter(isDerivativeRow);
    const expired = contracts.reduce((m, r) => (m === '' || r.expiry < m ? r.expiry : m), '');
    if (expired === '') throw new RangeError('the universe lists no contracts');
    const leaving = contracts.filter((r) => r.expiry === expired);
    const added = [
      ...(leaving.some((r) => r.segment === 'NFO-FUT') ? this.#nextFutures() : []),
      ...(leaving.some((r) => r.segment === 'NFO-OPT') ? this.#nextOptionChains() : []),
    ];
    const gone = new Set(leaving.map((r) => r.token));
    this.#rows = [...this.#rows.filter((r) => !gone.has(r.token)), ...added];
    for (const t of gone) this.instruments.delete(t);
    for (const r of added) this.instruments.set(r.token, instrumentOfRow(r));
    this.#csv = undefined;
    return {
      expired,
      listed: [...new Set(added.map((r) => r.expiry))].sort(),
      delisted: [...gone],
      added: added.map((r) => r.token),
    };
  }

  #lastExpiry(segment: MasterRow['segment']): IstDate {
    const last = this.#rows.reduce((m, r) => (r.segment === segment && r.expiry > m ? r.expiry : m), '');
    return (last === '' ? this.#today : last) as IstDate;
  }

  #nextFutures(): MasterRow[] {
    const after = this.#lastExpiry('NFO-FUT');
    const month = monthlyExpiries(this.#session, after, 2).find((d) => d > after);
    if (month === undefined) throw new RangeError(`no monthly expiry after ${after}`);
    return UNDERLYINGS.map((u) => futureRow(u, month, this.#today, this.#master.tokens));
  }

  #nextOptionChains(): MasterRow[] {
    const after = this.#lastExpiry('NFO-OPT');
    const week = weeklyExpiries(this.#session, after, 2).find((d) => d > after);
    if (week === undefined) throw new RangeError(`no weekly expiry after ${after}`);
    const monthly = monthlyExpiries(this.#session, week, 1)[0] === week;
    return UNDERLYINGS.flatMap((u) => optionChainRows(u, week, monthly, this.#today, this.#master.tokens));
  }
}
