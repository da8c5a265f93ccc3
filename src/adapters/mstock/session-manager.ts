import type { EpochMs } from '../../domain/units.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger/logger.ts';
import { untilAborted } from './abortable.ts';
import { SessionExpired } from './mstock-errors.ts';
import type { MstockHttpClient } from './mstock-http-client.ts';
import {
  getLogout,
  postLogin,
  postSessionToken,
  postVerifyTotp,
  type MstockCredentials,
} from './mstock-login.ts';
import type { SecretMasker } from './secret-masker.ts';
import { sessionExpiry } from './session-expiry.ts';
import { totp } from './totp.ts';

/** Asks a human for the SMS OTP (the lead wires a terminal prompt). */
export type OtpPrompt = (signal?: AbortSignal) => Promise<string>;

export interface AccessSession {
  readonly accessToken: string;
  readonly method: 'totp' | 'otp';
  readonly loginAt: EpochMs;
  readonly expiresAt: EpochMs;
}

export interface SessionSettings {
  /** Log in again this long before the token expires, so no call meets an expired token. */
  readonly renewMarginMs: number;
  /** `checksum` for `session/token`: a one-letter source code (mstock-protocol.md: `L`). */
  readonly otpChecksum: string;
}

export interface SessionManagerDeps {
  readonly client: MstockHttpClient;
  readonly credentials: MstockCredentials;
  readonly settings: SessionSettings;
  readonly masker: SecretMasker;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Without a TOTP secret, every login after the first needs a fresh OTP from here. */
  readonly promptOtp?: OtpPrompt;
}

/** No TOTP secret, and no OTP to log in with (none configured, or it was used and no prompt exists). */
export class OtpUnavailable extends Error {
  constructor() {
    super('m.Stock login needs an OTP: set MSTOCK_TOTP_SECRET for unattended login, or attach a terminal');
    this.name = 'OtpUnavailable';
  }
}

/**
 * Holds the m.Stock access token. It logs in on first use, again when the token comes within
 * `renewMarginMs` of its expiry (12 h or midnight IST), and again when a call reports
 * `SessionExpired`. Callers who ask while a login runs share it, so a burst of calls makes one login.
 */
export class SessionManager {
  private readonly deps: SessionManagerDeps;
  private session: AccessSession | undefined;
  private pending: Promise<AccessSession> | undefined;
  private logins = 0;
  /** Aborts a login in flight (an OTP prompt can wait forever) when the service stops. */
  private readonly lifetime = new AbortController();

  constructor(deps: SessionManagerDeps) {
    this.deps = deps;
    const { credentials, masker } = deps;
    for (const secret of [
      credentials.password,
      credentials.apiKey,
      credentials.totpSecret,
      credentials.otp,
    ]) {
      masker.add(secret);
    }
  }

  get apiKey(): string {
    return this.deps.credentials.apiKey;
  }

  /** The session in use, if any: for expiry-aware callers such as the feed. */
  current(): AccessSession | undefined {
    return this.session;
  }

  /**
   * When the current session should be replaced; undefined when there is none. A session logged in
   * within the margin of its expiry (the last minutes before midnight IST, when every token expires)
   * is kept until it expires: a login then would get the same expiry, so renewing early would only
   * log in again and again.
   */
  renewAt(): EpochMs | undefined {
    const session = this.session;
    if (session === undefined) return undefined;
    const early = session.expiresAt - this.deps.settings.renewMarginMs;
    return (session.loginAt >= early ? session.expiresAt : early) as EpochMs;
  }

  /**
   * A token valid now, logging in when the session is due for renewal (`renewAt`): for at least the
   * renewal margin, except a login in the last minutes before midnight IST, valid until midnight.
   */
  async accessToken(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const now = this.deps.clock.now();
    const renewAt = this.renewAt();
    if (this.session !== undefined && renewAt !== undefined && now < renewAt) return this.session.accessToken;
    this.pending ??= this.login().finally(() => {
      this.pending = undefined;
    });
    return (await untilAborted(this.pending, signal)).accessToken;
  }

  /** Marks `accessToken` as refused by the broker: the next `accessToken()` logs in again. */
  invalidate(accessToken: string): void {
    if (this.session?.accessToken === accessToken) {
      this.deps.logger.warn('m.Stock session refused by the broker; logging in again');
      this.session = undefined;
    }
  }

  /** Runs `call` with a token; if the broker says the session expired, logs in again and retries once. */
  async withSession<T>(call: (accessToken: string) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const token = await this.accessToken(signal);
    try {
      return await call(token);
    } catch (e) {
      if (!(e instanceof SessionExpired)) throw e;
      this.invalidate(token);
      return call(await this.accessToken(signal));
    }
  }

  /** Ends the session on the broker's side (best effort, at shutdown). */
  async logout(signal?: AbortSignal): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    await getLogout(this.deps.client, this.apiKey, session.accessToken, signal);
  }

  /** Stops any login in flight; the manager is not used afterwards. */
  close(): void {
    this.lifetime.abort();
  }

  private async login(): Promise<AccessSession> {
    const { client, credentials, settings, clock, logger, masker } = this.deps;
    const signal = this.lifetime.signal;
    // The clock before the first call: the broker's 12 hours started no earlier than this.
    const loginAt = clock.now();
    await postLogin(client, credentials, signal);
    let accessToken: string;
    let method: AccessSession['method'];
    if (credentials.totpSecret !== undefined) {
      method = 'totp';
      accessToken = await postVerifyTotp(
        client,
        credentials.apiKey,
        totp(credentials.totpSecret, clock.now()),
        signal,
      );
    } else {
      method = 'otp';
      const otp = await this.nextOtp(signal);
      masker.add(otp);
      accessToken = await postSessionToken(client, credentials.apiKey, otp, settings.otpChecksum, signal);
    }
    masker.add(accessToken);
    this.logins += 1;
    const session: AccessSession = { accessToken, method, loginAt, expiresAt: sessionExpiry(loginAt) };
    this.session = session;
    logger.info('Logged in to m.Stock', {
      method,
      login: this.logins,
      expiresAt: new Date(session.expiresAt).toISOString(),
    });
    return session;
  }

  /** The configured OTP serves the first login; later ones need a fresh OTP, so the prompt comes first. */
  private async nextOtp(signal: AbortSignal): Promise<string> {
    const { credentials, promptOtp } = this.deps;
    const configured = credentials.otp;
    if (this.logins === 0 && configured !== undefined) return configured;
    if (promptOtp !== undefined) return (await promptOtp(signal)).trim();
    if (configured !== undefined) return configured;
    throw new OtpUnavailable();
  }
}
