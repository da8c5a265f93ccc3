import { randomBytes, randomUUID } from 'node:crypto';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { formatIstDateTime } from '../domain/ist.ts';
import { epochMs } from '../domain/units.ts';
import type { RestDeps, RestRequest } from './rest-context.ts';
import { fail, ok, tokenError, type RestReply } from './rest-envelope.ts';
import type { SimSession } from './session-store.ts';
import { verifyTotp } from './totp-check.ts';

const LoginForm = t.type({ username: t.string, password: t.string });
const OtpForm = t.type({ api_key: t.string, request_token: t.string, checksum: t.string });
const TotpForm = t.type({ api_key: t.string, totp: t.string });

/** Logins awaiting their OTP that are remembered; older ones are forgotten (their OTP then expired). */
const PENDING_LOGINS_KEPT = 100;

const missing = (fields: string): RestReply => fail(400, `${fields} required`, 'InputException');

/** `POST /connect/login`: username and password; an OTP is then "sent". */
export const connectLogin = (req: RestRequest, deps: RestDeps): RestReply => {
  const form = LoginForm.decode(req.form);
  if (E.isLeft(form)) return missing('username and password are');
  const { user, password } = deps.options.credentials;
  if (form.right.username !== user || form.right.password !== password) {
    return fail(deps.options.businessErrorStatus, 'Invalid username or password (MACM1)', 'MiraeException');
  }
  const { pending } = deps.login;
  if (pending.length >= PENDING_LOGINS_KEPT) pending.shift();
  pending.push(deps.options.clock());
  // The flags come as strings and as booleans in the wild: the simulator sends both kinds.
  return ok({
    ugid: randomUUID(),
    cid: user,
    nm: 'Demo User',
    is_kyc: 'true',
    is_activate: true,
    is_password_reset: 'false',
    redirect_url: null,
  });
};

/** The Kite-shaped session answer of `session/token` and `session/verifytotp`. */
const sessionData = (s: SimSession): unknown => ({
  user_type: 'individual',
  email: `${s.userId}@example.invalid`,
  user_name: 'Demo User',
  user_shortname: 'Demo',
  broker: 'MIRAE',
  exchanges: ['NSE', 'NFO', 'BSE', 'BFO'],
  products: ['CNC', 'NRML', 'MIS'],
  order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
  avatar_url: null,
  user_id: s.userId,
  api_key: s.apiKey,
  access_token: s.accessToken,
  public_token: randomBytes(16).toString('hex'),
  refresh_token: '',
  enctoken: '',
  login_time: formatIstDateTime(epochMs(s.loginAt)),
  meta: { demat_consent: 'physical' },
});

/** Checks shared by OTP and TOTP: the api key, and a recent `connect/login`. */
const precheck = (apiKey: string, deps: RestDeps): RestReply | undefined => {
  const { options, login } = deps;
  if (apiKey !== options.credentials.apiKey) {
    return fail(403, 'API is suspended/expired or the api_key is invalid.', 'APIKeyException');
  }
  const at = options.clock();
  while (login.pending.length > 0 && at - (login.pending[0] ?? at) > options.otpValidityMs)
    login.pending.shift();
  if (login.pending.length === 0) {
    return fail(options.businessErrorStatus, 'OTP has expired. Please login again.', 'InputException');
  }
  return undefined;
};

const openSession = (deps: RestDeps): RestReply => {
  deps.login.pending.shift();
  const { options, sessions } = deps;
  const { user, apiKey } = options.credentials;
  if (options.singleSession) deps.closeFeeds(sessions.endSessionsOf(user));
  return ok(sessionData(sessions.open(user, apiKey, options.clock())));
};

/** `POST /session/token`: the SMS OTP as `request_token`, `checksum` = 'L' (any non-empty value). */
export const sessionToken = (req: RestRequest, deps: RestDeps): RestReply => {
  const form = OtpForm.decode(req.form);
  if (E.isLeft(form) || form.right.checksum === '') return missing('api_key, request_token and checksum are');
  const refused = precheck(form.right.api_key, deps);
  if (refused !== undefined) return refused;
  if (form.right.request_token !== deps.options.credentials.otp) {
    return fail(deps.options.businessErrorStatus, 'Incorrect OTP entered. (-MACM60)', 'InputException');
  }
  return openSession(deps);
};

/** `POST /session/verifytotp`: a 6-digit RFC 6238 code of the account's TOTP secret. */
export const verifyTotpRoute = (req: RestRequest, deps: RestDeps): RestReply => {
  const form = TotpForm.decode(req.form);
  if (E.isLeft(form)) return missing('api_key and totp are');
  const refused = precheck(form.right.api_key, deps);
  if (refused !== undefined) return refused;
  const { options } = deps;
  const instants =
    options.totpTimeSource === 'clock'
      ? [options.clock()]
      : options.totpTimeSource === 'wall'
        ? [Date.now()]
        : [options.clock(), Date.now()];
  if (!verifyTotp(options.credentials.totpSecret, form.right.totp, instants)) {
    return fail(options.businessErrorStatus, 'Please enter correct TOTP', 'InputException');
  }
  return openSession(deps);
};

/**
 * `Authorization: token <api_key>:<access_token>`. Returns the access token, or the error reply.
 * The key may hold ':' itself only if the token does not: the token is what follows the last ':'.
 */
export const authorise = (req: RestRequest, deps: RestDeps): { token: string } | { reply: RestReply } => {
  const status = deps.options.tokenErrorStatus;
  const match = /^token (.+):([^:]+)$/.exec(req.authorization ?? '');
  if (match === null) return { reply: tokenError(status, false) };
  const [, apiKey = '', token = ''] = match;
  const check = deps.sessions.check(apiKey, token, deps.options.clock());
  return check === 'valid' ? { token } : { reply: tokenError(status, check === 'expired') };
};

/** `GET /logout`: ends the session of the token sent. */
export const logout = (req: RestRequest, deps: RestDeps): RestReply => {
  const auth = authorise(req, deps);
  if ('reply' in auth) return auth.reply;
  deps.sessions.end(auth.token);
  return ok(true);
};
