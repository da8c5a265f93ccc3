import * as t from 'io-ts';
import { either as E } from 'fp-ts';
import {
  ApiKeyRejected,
  BrokerUnavailable,
  InvalidCredentials,
  InvalidOtp,
  RateLimited,
  SessionExpired,
  UnexpectedResponse,
  type Endpoint,
  type MstockError,
  type MstockErrorDetails,
} from './mstock-errors.ts';
import type { SecretMasker } from './secret-masker.ts';

const SuccessEnvelope = t.type({ status: t.literal('success'), data: t.unknown });
const ErrorEnvelope = t.intersection([
  t.type({ status: t.literal('error') }),
  t.partial({ message: t.union([t.string, t.null]), error_type: t.union([t.string, t.null]) }),
]);
const Envelope = t.union([SuccessEnvelope, ErrorEnvelope]);

/** One HTTP answer as it came off the wire. */
export interface RawResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const looksLikeHtml = (r: RawResponse): boolean => r.contentType.includes('html') || /^\s*</.test(r.body);

const isRefusal = (status: number): boolean => status === 401 || status === 403;

/**
 * A 401/403 names the token on an authenticated call. The session step (`verify_totp`,
 * `session_token`) sends no token: there the one credential it can refuse is the API key.
 */
const refusedAt = (endpoint: Endpoint, details: MstockErrorDetails): MstockError =>
  endpoint === 'verify_totp' || endpoint === 'session_token'
    ? new ApiKeyRejected(details)
    : new SessionExpired(details);

const OTP_WORDS = /\b(t?otp)\b|MACM60/i;
const CREDENTIAL_WORDS = /user\s*name|password|credential|MACM1\b/i;

/**
 * Names a broker failure. The mapping follows mstock-protocol.md: token errors come as 401 (docs)
 * or 403 (Kite lineage) or as `TokenException` on any status; business failures may arrive with
 * HTTP 200, so the envelope, not the status, decides.
 */
const classify = (
  endpoint: Endpoint,
  httpStatus: number,
  message: string | undefined,
  errorType: string | undefined,
): MstockError => {
  const details: MstockErrorDetails = {
    endpoint,
    status: httpStatus,
    ...(message === undefined ? {} : { brokerMessage: message }),
    ...(errorType === undefined ? {} : { errorType }),
  };
  const text = message ?? '';
  if (httpStatus === 429) return new RateLimited(details);
  // Before the status: the broker answers a bad key with 403 too, and logging in again cannot fix it.
  if (errorType === 'APIKeyException') return new ApiKeyRejected(details);
  if (isRefusal(httpStatus) || errorType === 'TokenException') return refusedAt(endpoint, details);
  if ((endpoint === 'verify_totp' || endpoint === 'session_token') && OTP_WORDS.test(text)) {
    return new InvalidOtp(details);
  }
  if (endpoint === 'login' && CREDENTIAL_WORDS.test(text)) return new InvalidCredentials(details);
  if (httpStatus >= 500) return new BrokerUnavailable(details);
  return new UnexpectedResponse(details);
};

const bodyExcerpt = (body: string): string => {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
};

/**
 * Reads an m.Stock REST answer: the envelope's `data` on success, else the typed error. Handles
 * the one-element array some routes wrap the envelope in, HTML gateway pages, and bodies that are
 * not JSON at all. Every text that can reach an error message goes through `masker` first.
 */
export const readEnvelope = (
  endpoint: Endpoint,
  response: RawResponse,
  masker: SecretMasker,
): E.Either<MstockError, unknown> => {
  const { status } = response;
  if (looksLikeHtml(response)) {
    const details = { endpoint, status, brokerMessage: 'HTML error page' };
    if (status === 429) return E.left(new RateLimited(details));
    if (isRefusal(status)) return E.left(refusedAt(endpoint, details));
    return E.left(status >= 500 ? new BrokerUnavailable(details) : new UnexpectedResponse(details));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    const details = {
      endpoint,
      status,
      brokerMessage: `not JSON: ${masker.mask(bodyExcerpt(response.body))}`,
    };
    return E.left(classifyWithoutEnvelope(details, status));
  }
  const unwrapped = Array.isArray(parsed) && parsed.length === 1 ? (parsed[0] as unknown) : parsed;
  const envelope = Envelope.decode(unwrapped);
  if (E.isLeft(envelope)) {
    const details = { endpoint, status, brokerMessage: 'no status envelope in the JSON body' };
    return E.left(classifyWithoutEnvelope(details, status));
  }
  const value = envelope.right;
  if (value.status === 'success') {
    if (status >= 200 && status < 300) return E.right(value.data);
    return E.left(
      new UnexpectedResponse({ endpoint, status, brokerMessage: 'success envelope on an error status' }),
    );
  }
  const message = value.message == null ? undefined : masker.mask(value.message);
  return E.left(classify(endpoint, status, message, value.error_type ?? undefined));
};

const classifyWithoutEnvelope = (details: MstockErrorDetails, status: number): MstockError => {
  if (status === 429) return new RateLimited(details);
  if (isRefusal(status)) return refusedAt(details.endpoint, details);
  if (status >= 500) return new BrokerUnavailable(details);
  return new UnexpectedResponse(details);
};
