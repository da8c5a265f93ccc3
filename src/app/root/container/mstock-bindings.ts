import type { Container } from 'inversify';
import {
  createMstockAdapters,
  type MstockAdapters,
} from '../../../adapters/mstock/create-mstock-adapters.ts';
import type { FeedTap } from '../../../adapters/mstock/feed-tap.ts';
import { MstockInstrumentMaster } from '../../../adapters/instruments/mstock-instrument-master.ts';
import type { MstockCredentials } from '../../../adapters/mstock/mstock-login.ts';
import { mstockSettings } from '../../../adapters/mstock/mstock-settings.ts';
import type { OtpPrompt } from '../../../adapters/mstock/session-manager.ts';
import type { Exchange, InstrumentToken } from '../../../domain/instrument.ts';
import type { MarketSession } from '../../../domain/market-session.ts';
import { BrokerFeedId } from '../../../ports/broker-feed.ts';
import { ClockId, type Clock } from '../../../ports/clock.ts';
import { HistoricalDataId } from '../../../ports/historical-data.ts';
import { InstrumentMasterId } from '../../../ports/instrument-master.ts';
import { LoggerId, type Logger } from '../../../ports/logger/logger.ts';
import { MetricsId, type Metrics } from '../../../ports/metrics.ts';
import type { AppConfig } from '../config/app-config.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { MarketSessionId, MstockAdaptersId } from './tokens.ts';

/** The m.Stock login from the configuration; undefined when MSTOCK_USER, _PASS or _API_KEY is missing. */
export const mstockCredentialsOf = (a: AppConfig): MstockCredentials | undefined =>
  a.mstockUser === undefined || a.mstockPass === undefined || a.mstockApiKey === undefined
    ? undefined
    : {
        username: a.mstockUser,
        password: a.mstockPass,
        apiKey: a.mstockApiKey,
        ...(a.mstockTotpSecret === undefined ? {} : { totpSecret: a.mstockTotpSecret }),
        ...(a.mstockOtp === undefined ? {} : { otp: a.mstockOtp }),
      };

export interface MstockInputs {
  /** The demo passes the simulator's addresses and credentials here; otherwise the config's. */
  readonly broker?: {
    readonly apiUrl: string;
    readonly wsUrl: string;
    readonly credentials: MstockCredentials;
  };
  readonly promptOtp?: OtpPrompt;
  /** Sees every raw feed frame: the session recorder. */
  readonly feedTap?: FeedTap;
  /** The exchange of each selected token, for its ticks (known once the selection is). */
  readonly exchangeOf?: (token: InstrumentToken) => Exchange | undefined;
}

/**
 * The m.Stock adapters on one session, so the feed and the historical data share one login, and
 * with one settings mapping for every mode, so frames decode the same way live, recorded and in a
 * backfill stage.
 */
export const bindMstock = (c: Container, config: ServiceConfig, inputs: MstockInputs = {}): void => {
  c.bind(MstockAdaptersId).toResolvedValue(
    (clock: Clock, logger: Logger, metrics: Metrics, session: MarketSession) => {
      const a = config.app;
      const credentials = inputs.broker?.credentials ?? mstockCredentialsOf(a);
      // decodeServiceConfig requires these in the modes that log in; reaching here is a wiring bug.
      if (credentials === undefined)
        throw new Error('MSTOCK_USER, MSTOCK_PASS and MSTOCK_API_KEY are required');
      return createMstockAdapters({
        credentials,
        settings: mstockSettings({
          apiUrl: inputs.broker?.apiUrl ?? a.mstockApiUrl,
          feed: {
            wsUrl: inputs.broker?.wsUrl ?? a.mstockWsUrl,
            tickTimeZone: a.mstockTickTimeZone,
            maxInstrumentsPerSocket: a.maxInstrumentsPerSocket,
            maxSockets: a.maxSockets,
            staleAfterMs: a.feedStaleAfterMs,
            isMarketOpen: (at) => session.isOpen(at),
            debugTickLogPerSecond: a.debugTickLogPerSecond,
          },
          historical: { rateLimit: { perSecond: a.historyRatePerSecond } },
        }),
        clock,
        logger,
        metrics,
        ...(inputs.promptOtp === undefined ? {} : { promptOtp: inputs.promptOtp }),
        ...(inputs.feedTap === undefined ? {} : { feedTap: inputs.feedTap }),
        ...(inputs.exchangeOf === undefined ? {} : { exchangeOf: inputs.exchangeOf }),
      });
    },
    [ClockId, LoggerId, MetricsId, MarketSessionId],
  );
  c.bind(BrokerFeedId).toResolvedValue((m: MstockAdapters) => m.feed, [MstockAdaptersId]);
  c.bind(HistoricalDataId).toResolvedValue((m: MstockAdapters) => m.historical, [MstockAdaptersId]);
  // On the adapters' session: the master's download shares the feed's login.
  c.bind(InstrumentMasterId).toResolvedValue(
    (m: MstockAdapters, clock: Clock, logger: Logger) =>
      new MstockInstrumentMaster({
        client: m.client,
        session: m.session,
        dataDir: config.app.dataDir,
        clock,
        logger,
      }),
    [MstockAdaptersId, ClockId, LoggerId],
  );
};
