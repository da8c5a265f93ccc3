import { either as E } from 'fp-ts';
import { istDateOf, type IstDate } from '../../domain/ist.ts';
import type { Clock } from '../../ports/clock.ts';
import {
  InstrumentMasterUnavailable,
  type InstrumentMaster,
  type InstrumentMasterSnapshot,
  type LoadOptions,
} from '../../ports/instrument-master.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { UnexpectedResponse } from '../mstock/mstock-errors.ts';
import type { MstockHttpClient } from '../mstock/mstock-http-client.ts';
import type { SessionManager } from '../mstock/session-manager.ts';
import { gunzipIfNeeded } from './gunzip-if-needed.ts';
import { MasterCopies, type MasterCopy } from './master-copies.ts';
import { readMasterCsv, type MasterCsvContent } from './read-master-csv.ts';

export interface MstockInstrumentMasterDeps {
  readonly client: MstockHttpClient;
  readonly session: SessionManager;
  /** The copies live in `<dataDir>/instruments/`. */
  readonly dataDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The whole download (~150k rows in production); the default allows a slow line. */
  readonly downloadTimeoutMs?: number;
}

const DEFAULT_DOWNLOAD_TIMEOUT_MS = 120_000;

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The m.Stock instrument master (`GET /instruments/scriptmaster`): downloaded at most once per IST
 * day, streamed row by row to a temporary file and read as it is kept (see `MasterCopies`).
 * Today's copy is reused; when the download fails, the last good copy serves, with a warning.
 */
export class MstockInstrumentMaster implements InstrumentMaster {
  private readonly deps: MstockInstrumentMasterDeps;
  private readonly copies: MasterCopies;
  private current: InstrumentMasterSnapshot | undefined;
  private pending:
    { readonly fresh: boolean; readonly snapshot: Promise<InstrumentMasterSnapshot> } | undefined;

  constructor(deps: MstockInstrumentMasterDeps) {
    this.deps = deps;
    this.copies = new MasterCopies(deps.dataDir);
  }

  /**
   * Concurrent callers share one load; today's snapshot is kept until the IST date changes.
   * `fresh` downloads again even when today's copy exists (the daily refresh: the broker may have
   * published the day's master after an early start), and still falls back to a copy on failure.
   */
  load(options: LoadOptions = {}): Promise<InstrumentMasterSnapshot> {
    const fresh = options.fresh === true;
    const signal = options.signal;
    const day = istDateOf(this.deps.clock.now());
    // A fallback copy is of an earlier day: the next load tries the download again.
    if (!fresh && this.current?.day === day) return Promise.resolve(this.current);
    if (this.pending !== undefined && (this.pending.fresh || !fresh)) return this.pending.snapshot;
    const snapshot = this.loadDay(day, fresh, signal).finally(() => {
      if (this.pending?.snapshot === snapshot) this.pending = undefined;
    });
    this.pending = { fresh, snapshot };
    return snapshot;
  }

  private async loadDay(
    day: IstDate,
    fresh: boolean,
    signal: AbortSignal | undefined,
  ): Promise<InstrumentMasterSnapshot> {
    const { logger } = this.deps;
    const todays = fresh ? undefined : await this.copies.ofDay(day);
    if (todays !== undefined) {
      const snapshot = await this.readCopy(todays);
      if (E.isRight(snapshot)) return this.keepSnapshot(snapshot.right);
      logger.warn("Today's instrument master copy is unreadable; downloading it again", {
        path: todays.path,
        reason: snapshot.left,
      });
    }
    try {
      return this.keepSnapshot(await this.download(day, signal));
    } catch (e) {
      signal?.throwIfAborted();
      const last = await this.copies.latest();
      if (last === undefined) {
        throw new InstrumentMasterUnavailable(
          `the download failed (${reasonOf(e)}) and there is no copy in ${this.copies.dir}`,
        );
      }
      const snapshot = await this.readCopy(last);
      if (E.isLeft(snapshot)) {
        throw new InstrumentMasterUnavailable(
          `the download failed (${reasonOf(e)}) and the last copy ${last.path} is unreadable: ${snapshot.left}`,
        );
      }
      logger.warn('Instrument master download failed; using the last good copy', {
        error: reasonOf(e),
        copyOf: last.day,
      });
      return this.keepSnapshot(snapshot.right);
    }
  }

  private keepSnapshot(snapshot: InstrumentMasterSnapshot): InstrumentMasterSnapshot {
    this.current = snapshot;
    return snapshot;
  }

  private async readCopy(copy: MasterCopy): Promise<E.Either<string, InstrumentMasterSnapshot>> {
    const content = await readMasterCsv(this.copies.read(copy.path));
    return E.map((c: MasterCsvContent) => ({
      ...c,
      day: copy.day,
      fetchedAt: copy.fetchedAt,
      source: 'cached' as const,
    }))(content);
  }

  private async download(day: IstDate, signal: AbortSignal | undefined): Promise<InstrumentMasterSnapshot> {
    const { client, session, logger } = this.deps;
    const timeoutMs = this.deps.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
    // The body goes to disk as it arrives; a session the broker ended early is renewed once.
    const temp = await session.withSession(async (accessToken) => {
      const call = {
        endpoint: 'scriptmaster',
        method: 'GET',
        path: '/instruments/scriptmaster',
        auth: { apiKey: session.apiKey, accessToken },
      } as const;
      const body = await client.download(call, timeoutMs, signal);
      return this.copies.write(day, gunzipIfNeeded(body), signal);
    }, signal);
    const content = await readMasterCsv(this.copies.read(temp));
    if (E.isLeft(content)) {
      await this.copies.discard(temp);
      throw new UnexpectedResponse({ endpoint: 'scriptmaster', status: 200, brokerMessage: content.left });
    }
    const copy = await this.copies.keep(temp, day);
    const c = content.right;
    logger.info('Downloaded the instrument master', {
      day,
      rows: c.rows,
      instruments: c.instruments.length,
      badRows: c.badRows.count,
      unsupported: c.unsupported,
    });
    if (c.badRows.count > 0) {
      logger.warn('Instrument master rows skipped', {
        count: c.badRows.count,
        first: c.badRows.first.map((b) => `line ${b.line}: ${b.reason}`).join('; '),
      });
    }
    return { ...c, day, fetchedAt: copy.fetchedAt, source: 'downloaded' };
  }
}
