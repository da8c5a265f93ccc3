import { either as E } from 'fp-ts';
import type { Candle } from '../../domain/candle.ts';
import { formatIstDateTime } from '../../domain/ist.ts';
import type { Clock } from '../../ports/clock.ts';
import type { CandleRequest, HistoricalData } from '../../ports/historical-data.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { realSleep, type Sleep } from './abortable.ts';
import { backoffDelay, type BackoffSettings } from './backoff.ts';
import { decodeCandles } from './candle-codec.ts';
import { requestWindows, type RequestWindow } from './historical-windows.ts';
import { SessionExpired, UnexpectedResponse, isMstockError } from './mstock-errors.ts';
import type { MstockHttpClient } from './mstock-http-client.ts';
import { RateLimiter, type RateLimit } from './rate-limiter.ts';
import type { SessionManager } from './session-manager.ts';

export interface HistoricalSettings {
  /** Requests per second (docs: 1/s for historical data) and burst; perSecond 0 turns it off. */
  readonly rateLimit: RateLimit;
  /** The broker's cap on bars per request (1000). */
  readonly maxBarsPerRequest: number;
  /** Trading minutes per day used to size requests (NSE: 375). */
  readonly sessionMinutesPerDay: number;
  /** Tries per request, the first included, on 429, 5xx, HTML 502 pages and network errors. */
  readonly maxAttempts: number;
  readonly retryBackoff: BackoffSettings;
}

export interface MstockHistoricalDataDeps {
  readonly client: MstockHttpClient;
  readonly session: SessionManager;
  readonly settings: HistoricalSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

/**
 * Candles from `GET /instruments/historical/{exchange}/{token}/{interval}`. A long range is cut
 * into requests of at most 1000 bars (see `requestWindows`), sent one after another through a
 * rate limiter; throttling and gateway failures are retried with backoff, an expired session is
 * renewed. The result is sorted by start, inside the range, each start once.
 */
export class MstockHistoricalData implements HistoricalData {
  private readonly deps: MstockHistoricalDataDeps;
  private readonly limiter: RateLimiter;
  private readonly sleep: Sleep;
  private readonly random: () => number;

  constructor(deps: MstockHistoricalDataDeps) {
    this.deps = deps;
    this.sleep = deps.sleep ?? realSleep;
    this.random = deps.random ?? Math.random;
    this.limiter = new RateLimiter(deps.settings.rateLimit, deps.clock, this.sleep);
  }

  async candles(request: CandleRequest, signal?: AbortSignal): Promise<readonly Candle[]> {
    signal?.throwIfAborted();
    const windows = requestWindows(request.from, request.to, request.interval, this.deps.settings);
    const byStart = new Map<number, Candle>();
    for (const window of windows) {
      for (const candle of await this.fetchWindow(request, window, signal)) {
        // Windows do not overlap, but the broker may pad an answer: keep the range, first copy wins.
        if (candle.start >= request.from && candle.start <= request.to && !byStart.has(candle.start)) {
          byStart.set(candle.start, candle);
        }
      }
    }
    this.deps.logger.debug('Fetched m.Stock candles', {
      token: request.token,
      interval: request.interval,
      candles: byStart.size,
      requests: windows.length,
    });
    return [...byStart.values()].sort((a, b) => a.start - b.start);
  }

  private async fetchWindow(
    request: CandleRequest,
    window: RequestWindow,
    signal: AbortSignal | undefined,
  ): Promise<Candle[]> {
    const { client, session, settings, logger } = this.deps;
    const path = ['/instruments/historical', request.exchange, request.token, request.interval]
      .map((part, i) => (i === 0 ? part : encodeURIComponent(part)))
      .join('/');
    const query = { from: formatIstDateTime(window.from), to: formatIstDateTime(window.to) };
    for (let attempt = 1; ; attempt++) {
      const accessToken = await session.accessToken(signal);
      try {
        const call = {
          endpoint: 'historical',
          method: 'GET',
          path,
          query,
          auth: { apiKey: session.apiKey, accessToken },
        } as const;
        const data = await this.limiter.run(() => client.call(call, signal), signal);
        const candles = decodeCandles(data, request.token);
        if (E.isLeft(candles)) {
          throw new UnexpectedResponse({
            endpoint: 'historical',
            status: 200,
            brokerMessage: `unreadable candles at ${candles.left.paths.join(', ')}`,
          });
        }
        return candles.right;
      } catch (e) {
        if (!isMstockError(e) || attempt >= settings.maxAttempts) throw e;
        if (e instanceof SessionExpired) {
          session.invalidate(accessToken);
          continue;
        }
        if (!e.retryable) throw e;
        const wait = backoffDelay(settings.retryBackoff, attempt - 1, this.random);
        logger.warn('m.Stock historical request failed; retrying', {
          token: request.token,
          error: e.kind,
          status: String(e.status),
          attempt,
          waitMs: wait,
        });
        await this.sleep(wait, signal);
      }
    }
  }
}
