import * as t from 'io-ts';
import { either as E } from 'fp-ts';
import type { InstrumentToken } from '../../domain/instrument.ts';
import type { SubscriptionMode } from '../../ports/broker-feed.ts';

/**
 * The text side of the m.Stock feed (mstock-protocol.md, Live feed): what the client sends after
 * the socket opens, and what the server's text frames can mean. Tokens go out as JSON numbers.
 */

/** The URL with the credentials as upper-case, percent-encoded query parameters (keys can hold `+ / = @`). */
export const feedUrl = (wsUrl: string, apiKey: string, accessToken: string): string => {
  const separator = wsUrl.includes('?') ? '&' : '?';
  return `${wsUrl}${separator}API_KEY=${encodeURIComponent(apiKey)}&ACCESS_TOKEN=${encodeURIComponent(accessToken)}`;
};

/** Without this first message the server closes the socket. */
export const loginMessage = (accessToken: string): string => `LOGIN:${accessToken}`;

const chunks = <A>(items: readonly A[], size: number): A[][] => {
  const out: A[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/**
 * Everything that puts a subscription in place on a fresh connection, in order: the subscribe
 * messages, then the mode for the same tokens (the server's default mode is `quote`), each
 * message holding at most `chunkSize` tokens.
 */
export const subscriptionMessages = (
  tokens: readonly InstrumentToken[],
  mode: SubscriptionMode,
  chunkSize: number,
): string[] => {
  const groups = chunks(tokens.map(Number), Math.max(1, chunkSize));
  return [
    ...groups.map((v) => JSON.stringify({ a: 'subscribe', v })),
    ...groups.map((v) => JSON.stringify({ a: 'mode', v: [mode, v] })),
  ];
};

/** Stops the server sending these tokens (mstock-protocol.md: `{"a":"unsubscribe","v":[2885]}`). */
export const unsubscribeMessages = (tokens: readonly InstrumentToken[], chunkSize: number): string[] =>
  chunks(tokens.map(Number), Math.max(1, chunkSize)).map((v) => JSON.stringify({ a: 'unsubscribe', v }));

const ServerText = t.union([
  t.type({ type: t.literal('error'), data: t.unknown }),
  t.type({ type: t.keyof({ order: null, trade: null }) }),
]);

/** What a text frame from the server says; LOGIN's reply and anything unknown are `other`. */
export type ServerText =
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'order-update' }
  | { readonly kind: 'other' };

export const readServerText = (text: string): ServerText => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'other' };
  }
  const decoded = ServerText.decode(parsed);
  if (E.isLeft(decoded)) return { kind: 'other' };
  const value = decoded.right;
  if (value.type !== 'error') return { kind: 'order-update' };
  return { kind: 'error', message: typeof value.data === 'string' ? value.data : JSON.stringify(value.data) };
};
