import type { IHeaders, KafkaMessage } from 'kafkajs';

/** A record of market_ticks as this consumer uses it: who it is about, its id, its JSON as sent. */
export interface TickRecord {
  readonly token: string;
  /** The `tick-id` header: the same every time tickflow sends the same tick. */
  readonly tickId: string | undefined;
  readonly json: string;
}

export type ReadResult =
  { readonly ok: true; readonly record: TickRecord } | { readonly ok: false; readonly problem: string };

const headerText = (headers: IHeaders | undefined, name: string): string | undefined => {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks what came off the wire: the value is a JSON object, and the token is known (key or value). */
export const readTickRecord = (message: KafkaMessage): ReadResult => {
  if (message.value === null) return { ok: false, problem: 'no value' };
  const json = message.value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { ok: false, problem: 'value is not JSON' };
  }
  if (!isObject(parsed)) return { ok: false, problem: 'value is not a JSON object' };
  const token = message.key?.toString('utf8') ?? parsed['token'];
  if (typeof token !== 'string' || token === '') return { ok: false, problem: 'no token' };
  return { ok: true, record: { token, tickId: headerText(message.headers, 'tick-id'), json } };
};
