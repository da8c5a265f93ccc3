/** The broker's JSON envelopes and error bodies (mstock-protocol.md, "Hosts and conventions"). */
export type BrokerErrorType =
  | 'TokenException'
  | 'InputException'
  | 'MiraeException'
  | 'APIKeyException'
  | 'GeneralException'
  | 'DataException';

/** What a route answers; the server turns it into bytes (gzip, headers, array wrapping). */
export type RestReply =
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'html'; readonly status: number; readonly body: string }
  | { readonly kind: 'csv'; readonly status: number; readonly body: string };

export const ok = (data: unknown, status = 200): RestReply => ({
  kind: 'json',
  status,
  body: { status: 'success', data },
});

export const fail = (status: number, message: string, errorType: BrokerErrorType): RestReply => ({
  kind: 'json',
  status,
  body: { status: 'error', message, error_type: errorType, data: null },
});

/** Without `X-Mirae-Version: 1`: exactly this body, with no error_type. */
export const MISSING_VERSION_REPLY: RestReply = {
  kind: 'json',
  status: 400,
  body: { status: 'error', message: 'Please provide valid api version.', data: null },
};

/** What the gateway sends under load: an nginx-style HTML page, not JSON. */
export const BAD_GATEWAY_REPLY: RestReply = {
  kind: 'html',
  status: 502,
  body:
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
    '<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n',
};

export const tokenError = (status: number, expired: boolean): RestReply =>
  fail(
    status,
    expired ? 'Session expired. Please login again.' : 'Incorrect `api_key` or `access_token`.',
    'TokenException',
  );

export const rateLimited = (status: number): RestReply =>
  fail(status, 'Too many requests. Please try after some time.', 'GeneralException');
