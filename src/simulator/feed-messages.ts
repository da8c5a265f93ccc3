import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import type { SubscriptionMode } from '../ports/broker-feed.ts';

/** Tokens to subscribe, in a mode when the message names one (`undefined`: the default mode). */
export interface SubscribeGroup {
  readonly mode: SubscriptionMode | undefined;
  readonly tokens: readonly number[];
}

/** What a client's text frame asks for (mstock-protocol.md, "Live feed"). */
export type ClientRequest =
  | { readonly kind: 'login'; readonly accessToken: string }
  /** `{"v":[tokens]}` is one group without a mode; `{"v":{"full":[tokens]}}` one group per mode named. */
  | { readonly kind: 'subscribe'; readonly groups: readonly SubscribeGroup[] }
  | { readonly kind: 'unsubscribe'; readonly tokens: readonly number[] }
  /** `tokens` undefined: every subscribed token (`{"a":"mode","v":["ltp"]}`). */
  | { readonly kind: 'mode'; readonly mode: SubscriptionMode; readonly tokens: readonly number[] | undefined }
  /** Text the server does not know: ignored, as the real server does with unknown text. */
  | { readonly kind: 'ignored' }
  /** Broken JSON, or a known action with a bad value: answered with `{"type":"error"}`. */
  | { readonly kind: 'invalid'; readonly reason: string };

const Token = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0 && n <= 0x7fffffff, 'Token');
const Tokens = t.array(Token);
const Mode = t.keyof({ ltp: null, quote: null, full: null });
// The official Node SDK's subscribeWithMode sends the object form (mstock-protocol.md).
const TokensByMode = t.partial({ ltp: Tokens, quote: Tokens, full: Tokens });
const Subscribe = t.type({ a: t.literal('subscribe'), v: t.union([Tokens, TokensByMode]) });
const MODES: readonly SubscriptionMode[] = ['ltp', 'quote', 'full'];
const Unsubscribe = t.type({ a: t.literal('unsubscribe'), v: Tokens });
const ModeMessage = t.type({ a: t.literal('mode'), v: t.union([t.tuple([Mode, Tokens]), t.tuple([Mode])]) });
const Action = t.type({ a: t.string });

const BAD_SUBSCRIBE: ClientRequest = {
  kind: 'invalid',
  reason: 'Invalid subscribe message: v must be a list of instrument tokens or {"<mode>": [tokens]}',
};

const readSubscribe = (parsed: unknown): ClientRequest => {
  const m = Subscribe.decode(parsed);
  if (E.isLeft(m)) return BAD_SUBSCRIBE;
  const v = m.right.v;
  if (Array.isArray(v)) return { kind: 'subscribe', groups: [{ mode: undefined, tokens: v }] };
  // t.partial lets unknown keys through: a mode the server does not know is refused, not dropped.
  const keys = Object.keys(v);
  if (keys.length === 0 || keys.some((k) => !MODES.some((mode) => mode === k))) return BAD_SUBSCRIBE;
  const groups = MODES.flatMap((mode): SubscribeGroup[] => {
    const tokens = v[mode];
    return tokens === undefined ? [] : [{ mode, tokens }];
  });
  return { kind: 'subscribe', groups };
};

const LOGIN_PREFIX = 'LOGIN:';

export const readClientText = (text: string): ClientRequest => {
  if (text.startsWith(LOGIN_PREFIX))
    return { kind: 'login', accessToken: text.slice(LOGIN_PREFIX.length).trim() };
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return { kind: 'ignored' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { kind: 'invalid', reason: 'Invalid JSON message' };
  }
  const action = Action.decode(parsed);
  if (E.isLeft(action)) return { kind: 'ignored' };
  switch (action.right.a) {
    case 'subscribe':
      return readSubscribe(parsed);
    case 'unsubscribe': {
      const m = Unsubscribe.decode(parsed);
      return E.isRight(m)
        ? { kind: 'unsubscribe', tokens: m.right.v }
        : { kind: 'invalid', reason: 'Invalid unsubscribe message: v must be a list of instrument tokens' };
    }
    case 'mode': {
      const m = ModeMessage.decode(parsed);
      if (E.isLeft(m)) {
        return { kind: 'invalid', reason: 'Invalid mode message: v must be [mode] or [mode, [tokens]]' };
      }
      const [mode, tokens] = m.right.v;
      return { kind: 'mode', mode, tokens };
    }
    default:
      return { kind: 'ignored' };
  }
};
