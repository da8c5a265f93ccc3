import type { ServiceIdentifier } from 'inversify';
import type { IstDate } from '../domain/ist.ts';
import type { MasterInstrument } from '../domain/master-instrument.ts';
import type { EpochMs } from '../domain/units.ts';

/** A row of the master that could not be read, by its line in the file (the header is line 1). */
export interface BadMasterRow {
  readonly line: number;
  readonly reason: string;
}

/** The instrument master as one day's copy was read. */
export interface InstrumentMasterSnapshot {
  /** The IST date the copy was fetched for. */
  readonly day: IstDate;
  readonly fetchedAt: EpochMs;
  /** The rows of supported exchanges that decoded, in the master's order. */
  readonly instruments: readonly MasterInstrument[];
  /** Data rows read (the header not counted): instruments + bad + unsupported. */
  readonly rows: number;
  /** Rows that did not decode: how many, and the first few reasons. */
  readonly badRows: { readonly count: number; readonly first: readonly BadMasterRow[] };
  /** Rows of exchanges tickflow does not follow (MCX, CDS, ...). */
  readonly unsupported: number;
  /** `cached`: today's copy already on disk, or the last good copy after a failed download. */
  readonly source: 'downloaded' | 'cached';
}

/** No master could be had: the download failed and there is no copy to fall back on. */
export class InstrumentMasterUnavailable extends Error {
  constructor(reason: string) {
    super(`instrument master unavailable: ${reason}`);
    this.name = 'InstrumentMasterUnavailable';
  }
}

export interface LoadOptions {
  /** Download again even when today's copy is kept (the daily refresh). */
  readonly fresh?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * The broker's instrument master. `load` gives today's copy: fetched at most once a day (unless
 * `fresh`), else the last good copy (with a warning) when the broker cannot be reached; it rejects
 * with `InstrumentMasterUnavailable` only when there is no copy at all.
 */
export interface InstrumentMaster {
  load(options?: LoadOptions): Promise<InstrumentMasterSnapshot>;
}

export const InstrumentMasterId: ServiceIdentifier<InstrumentMaster> =
  Symbol.for('tickflow.InstrumentMaster');
