import { MemoryLogger } from '../../../src/adapters/memory/memory-logger.ts';
import { MemoryMetrics } from '../../../src/adapters/memory/memory-metrics.ts';
import { MstockBrokerFeed } from '../../../src/adapters/mstock/mstock-broker-feed.ts';
import { MstockHttpClient } from '../../../src/adapters/mstock/mstock-http-client.ts';
import { mstockSettings, type MstockSettingsInput } from '../../../src/adapters/mstock/mstock-settings.ts';
import { SecretMasker } from '../../../src/adapters/mstock/secret-masker.ts';
import { SessionManager } from '../../../src/adapters/mstock/session-manager.ts';
import { systemClock } from '../../../src/adapters/system/system-clock.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import type { LogLevel } from '../../../src/ports/logger/logger.ts';
import { fail, fakeBrokerFetch, ok } from '../../unit/mstock-client/fake-broker-fetch.ts';
import { encodeFrame, encodePacket } from '../../../src/simulator/encode-frame.ts';
import type { FeedTestServer } from './feed-test-server.ts';

/** One frame of quote packets: price in paise, volume, exchange time 0 (not sent). */
export const quotes = (...packets: [token: number, paise: number][]): Uint8Array =>
  encodeFrame(packets.map(([token, ltp]) => encodePacket({ token, ltp, volume: 10 }, 'quote44')));

export interface Options {
  readonly feed?: MstockSettingsInput['feed'];
  readonly logLevel?: LogLevel;
  readonly password?: string;
  readonly clock?: Clock;
  /** Answers the n-th TOTP step (1-based) with this instead of a token. */
  readonly verifyAnswer?: (n: number) => Response | undefined;
}

/** The feed under test on `server`, logging in against a stand-in REST API that hands out tok1, tok2, ... */
export const makeFeed = (server: FeedTestServer, options: Options = {}) => {
  let issued = 0;
  let verifications = 0;
  const clock = options.clock ?? systemClock;
  const rest = fakeBrokerFetch(({ path, form }) => {
    if (path === '/connect/login') {
      return form.get('password') === 'pw'
        ? ok({})
        : fail(200, 'Invalid username or password (MACM1)', 'MiraeException');
    }
    if (path === '/session/verifytotp') {
      verifications += 1;
      return options.verifyAnswer?.(verifications) ?? ok({ access_token: `tok${++issued}` });
    }
    return undefined;
  });
  const settings = mstockSettings({
    feed: {
      wsUrl: server.wsUrl,
      // Long enough that a busy machine does not replace sockets mid-test; the silence tests set 300.
      staleAfterMs: 5000,
      reconnectBackoff: { initialMs: 20, maxMs: 100, multiplier: 2 },
      ...options.feed,
    },
  });
  const logger = new MemoryLogger(options.logLevel ?? 'info');
  const metrics = new MemoryMetrics();
  const masker = new SecretMasker();
  const client = new MstockHttpClient({
    apiUrl: 'https://api.example',
    requestTimeoutMs: 1000,
    metrics,
    masker,
    fetch: rest.fetch,
  });
  const shared = { masker, clock, logger };
  const credentials = {
    username: 'u',
    password: options.password ?? 'pw',
    apiKey: 'key/+',
    totpSecret: 'JBSWY3DPEHPK3PXP',
  };
  const session = new SessionManager({ ...shared, client, credentials, settings: settings.session });
  // A fixed jitter: backoffs the same on every run.
  const feed = new MstockBrokerFeed({
    ...shared,
    session,
    metrics,
    settings: settings.feed,
    random: () => 0.5,
  });
  return { feed, logger, metrics, rest };
};
