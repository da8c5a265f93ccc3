import type { Exchange, InstrumentToken } from '../../domain/instrument.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { MstockBrokerFeed } from './mstock-broker-feed.ts';
import { MstockHistoricalData } from './mstock-historical-data.ts';
import { MstockHttpClient } from './mstock-http-client.ts';
import type { MstockCredentials } from './mstock-login.ts';
import type { FeedTap } from './feed-tap.ts';
import type { MstockSettings } from './mstock-settings.ts';
import { SecretMasker } from './secret-masker.ts';
import { SessionManager, type OtpPrompt } from './session-manager.ts';

export interface MstockAdapterDeps {
  readonly credentials: MstockCredentials;
  readonly settings: MstockSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** For OTP login without MSTOCK_OTP, and for every OTP login after the first. */
  readonly promptOtp?: OtpPrompt;
  /** Sees every feed frame and connection change, e.g. to record the session (RECORD_FRAMES). */
  readonly feedTap?: FeedTap;
  /** The exchange of each selected token, stamped on its ticks. */
  readonly exchangeOf?: (token: InstrumentToken) => Exchange | undefined;
}

export interface MstockAdapters {
  readonly session: SessionManager;
  readonly feed: MstockBrokerFeed;
  readonly historical: MstockHistoricalData;
  readonly client: MstockHttpClient;
  /** Masks every secret these adapters know of, for the caller's own error reporting. */
  readonly masker: SecretMasker;
}

/** The m.Stock adapters wired to one session, so the feed and the backfill share one login. */
export const createMstockAdapters = (deps: MstockAdapterDeps): MstockAdapters => {
  const { credentials, settings, clock, logger, metrics } = deps;
  const masker = new SecretMasker();
  const client = new MstockHttpClient({
    apiUrl: settings.apiUrl,
    requestTimeoutMs: settings.requestTimeoutMs,
    metrics,
    masker,
  });
  const session = new SessionManager({
    client,
    credentials,
    settings: settings.session,
    masker,
    clock,
    logger,
    ...(deps.promptOtp === undefined ? {} : { promptOtp: deps.promptOtp }),
  });
  const feed = new MstockBrokerFeed({
    session,
    settings: settings.feed,
    masker,
    clock,
    logger,
    metrics,
    ...(deps.feedTap === undefined ? {} : { tap: deps.feedTap }),
    ...(deps.exchangeOf === undefined ? {} : { exchangeOf: deps.exchangeOf }),
  });
  const historical = new MstockHistoricalData({
    client,
    session,
    settings: settings.historical,
    clock,
    logger,
  });
  return { session, feed, historical, client, masker };
};
