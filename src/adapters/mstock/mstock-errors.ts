/**
 * What can go wrong when talking to m.Stock, as small Error subclasses that also form a
 * discriminated union on `kind`: callers may `switch (e.kind)` exhaustively or test `instanceof`.
 * Messages never hold a secret: they are built from the route name, the HTTP status and the
 * broker's own message after `SecretMasker.mask`.
 */

/** A route name (`login`, `historical`, `websocket`, ...), never a URL: URLs can carry tokens. */
export type Endpoint =
  'login' | 'verify_totp' | 'session_token' | 'historical' | 'scriptmaster' | 'logout' | 'websocket';

/** The HTTP status, or `network_error` when no response arrived (refused, reset, timed out). */
export type CallStatus = number | 'network_error';

export interface MstockErrorDetails {
  readonly endpoint: Endpoint;
  readonly status: CallStatus;
  /** The broker's message, secrets already masked. */
  readonly brokerMessage?: string;
  /** The envelope's `error_type` (TokenException, MiraeException, ...), when it sent one. */
  readonly errorType?: string;
}

abstract class MstockApiError extends Error {
  abstract readonly kind: string;
  /** Worth trying again after a pause (throttling, gateway trouble, network failure). */
  abstract readonly retryable: boolean;
  readonly endpoint: Endpoint;
  readonly status: CallStatus;
  readonly brokerMessage: string | undefined;
  readonly errorType: string | undefined;

  constructor(summary: string, details: MstockErrorDetails) {
    const said = details.brokerMessage === undefined ? '' : `: ${details.brokerMessage}`;
    super(`m.Stock ${details.endpoint} (${String(details.status)}) ${summary}${said}`);
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.brokerMessage = details.brokerMessage;
    this.errorType = details.errorType;
  }
}

/** Wrong username or password at `connect/login`. */
export class InvalidCredentials extends MstockApiError {
  readonly kind = 'InvalidCredentials';
  readonly retryable = false;
  constructor(details: MstockErrorDetails) {
    super('refused the username or password', details);
    this.name = 'InvalidCredentials';
  }
}

/** The OTP or TOTP was wrong or expired. */
export class InvalidOtp extends MstockApiError {
  readonly kind = 'InvalidOtp';
  readonly retryable = false;
  constructor(details: MstockErrorDetails) {
    super('refused the one-time password', details);
    this.name = 'InvalidOtp';
  }
}

/** The access token is no longer valid (401/403, `TokenException`): log in again. */
export class SessionExpired extends MstockApiError {
  readonly kind = 'SessionExpired';
  readonly retryable = false;
  constructor(details: MstockErrorDetails) {
    super('says the session has expired', details);
    this.name = 'SessionExpired';
  }
}

/** The API key is unknown, suspended or expired (`APIKeyException`). */
export class ApiKeyRejected extends MstockApiError {
  readonly kind = 'ApiKeyRejected';
  readonly retryable = false;
  constructor(details: MstockErrorDetails) {
    super('rejected the API key (MSTOCK_API_KEY): check it in the m.Stock portal', details);
    this.name = 'ApiKeyRejected';
  }
}

/** Throttled (HTTP 429). */
export class RateLimited extends MstockApiError {
  readonly kind = 'RateLimited';
  readonly retryable = true;
  constructor(details: MstockErrorDetails) {
    super('is rate limiting', details);
    this.name = 'RateLimited';
  }
}

/** The broker could not be reached or its gateway failed (5xx, HTML 502 page, network error). */
export class BrokerUnavailable extends MstockApiError {
  readonly kind = 'BrokerUnavailable';
  readonly retryable = true;
  constructor(details: MstockErrorDetails) {
    super('is unavailable', details);
    this.name = 'BrokerUnavailable';
  }
}

/** An answer this adapter cannot read, or a business error it has no better name for. */
export class UnexpectedResponse extends MstockApiError {
  readonly kind = 'UnexpectedResponse';
  readonly retryable = false;
  constructor(details: MstockErrorDetails) {
    super('answered unexpectedly', details);
    this.name = 'UnexpectedResponse';
  }
}

export type MstockError =
  | InvalidCredentials
  | InvalidOtp
  | SessionExpired
  | ApiKeyRejected
  | RateLimited
  | BrokerUnavailable
  | UnexpectedResponse;

export const isMstockError = (e: unknown): e is MstockError => e instanceof MstockApiError;
