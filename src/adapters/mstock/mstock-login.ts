import * as t from 'io-ts';
import { either as E } from 'fp-ts';
import { UnexpectedResponse, type Endpoint } from './mstock-errors.ts';
import type { MstockHttpClient } from './mstock-http-client.ts';

/** The account, as the lead decodes it from MSTOCK_USER, MSTOCK_PASS, MSTOCK_API_KEY, ... */
export interface MstockCredentials {
  readonly username: string;
  readonly password: string;
  readonly apiKey: string;
  /** Base32 TOTP secret (MSTOCK_TOTP_SECRET). When set, login needs no human: `session/verifytotp`. */
  readonly totpSecret?: string;
  /** An SMS OTP for the first login (MSTOCK_OTP), sent to `session/token` when there is no TOTP secret. */
  readonly otp?: string;
}

const NonEmptyString = t.refinement(t.string, (s) => s.length > 0, 'NonEmptyString');
/** `connect/login` answers with account details we do not need; only the envelope's success matters. */
const LoginData = t.union([t.UnknownRecord, t.null]);
/** Kite's session shape; only the token is relied on. */
const SessionData = t.type({ access_token: NonEmptyString });

const decodeOrThrow = <A>(codec: t.Decoder<unknown, A>, data: unknown, endpoint: Endpoint): A => {
  const result = codec.decode(data);
  if (E.isRight(result)) return result.right;
  // Never echo `data`: it holds the token we failed to read.
  throw new UnexpectedResponse({ endpoint, status: 200, brokerMessage: `no ${codec.name} in the answer` });
};

/** Step 1: username and password. The broker sends an SMS OTP unless the account uses TOTP. */
export const postLogin = async (
  client: MstockHttpClient,
  credentials: MstockCredentials,
  signal?: AbortSignal,
): Promise<void> => {
  const data = await client.call(
    {
      endpoint: 'login',
      method: 'POST',
      path: '/connect/login',
      form: { username: credentials.username, password: credentials.password },
    },
    signal,
  );
  decodeOrThrow(LoginData, data, 'login');
};

/** Step 2 with TOTP: the 6-digit code computed from the secret. */
export const postVerifyTotp = async (
  client: MstockHttpClient,
  apiKey: string,
  code: string,
  signal?: AbortSignal,
): Promise<string> => {
  const data = await client.call(
    {
      endpoint: 'verify_totp',
      method: 'POST',
      path: '/session/verifytotp',
      form: { api_key: apiKey, totp: code },
    },
    signal,
  );
  return decodeOrThrow(SessionData, data, 'verify_totp').access_token;
};

/**
 * Step 2 with an SMS OTP: `request_token` is the OTP and `checksum` a one-letter source code,
 * not a hash (mstock-protocol.md: `L`; older examples send `W`).
 */
export const postSessionToken = async (
  client: MstockHttpClient,
  apiKey: string,
  otp: string,
  checksum: string,
  signal?: AbortSignal,
): Promise<string> => {
  const data = await client.call(
    {
      endpoint: 'session_token',
      method: 'POST',
      path: '/session/token',
      form: { api_key: apiKey, request_token: otp, checksum },
    },
    signal,
  );
  return decodeOrThrow(SessionData, data, 'session_token').access_token;
};

/** `GET /logout`: ends the session on the broker's side. */
export const getLogout = async (
  client: MstockHttpClient,
  apiKey: string,
  accessToken: string,
  signal?: AbortSignal,
): Promise<void> => {
  await client.call(
    { endpoint: 'logout', method: 'GET', path: '/logout', auth: { apiKey, accessToken } },
    signal,
  );
};
