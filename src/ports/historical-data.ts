import type { ServiceIdentifier } from 'inversify';
import type { Exchange, InstrumentToken } from '../domain/instrument.ts';
import type { Candle, CandleInterval } from '../domain/candle.ts';
import type { EpochMs } from '../domain/units.ts';

export interface CandleRequest {
  readonly token: InstrumentToken;
  readonly exchange: Exchange;
  readonly interval: CandleInterval;
  /** Inclusive start and end, epoch ms; the adapter speaks IST to the broker. */
  readonly from: EpochMs;
  readonly to: EpochMs;
}

/** Past OHLC bars. Implementations split long ranges and respect the broker's rate limit. */
export interface HistoricalData {
  candles(request: CandleRequest, signal?: AbortSignal): Promise<readonly Candle[]>;
}
export const HistoricalDataId: ServiceIdentifier<HistoricalData> = Symbol.for('tickflow.HistoricalData');
