import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { EventNotStorable } from './event-log-errors.ts';

/**
 * How an event log turns its events into JSON and back. Give it an io-ts codec, or a decode
 * function for events that are stored as they are (their JSON form is the event itself).
 */
export type EventCodecInput<E> = t.Type<E, unknown> | ((u: unknown) => E.Either<string, E>);

export interface EventCodec<E> {
  encode(event: E): unknown;
  /** Left: why the value is not an event, in words. */
  decode(u: unknown): E.Either<string, E>;
}

const describe = (errors: t.Errors): string =>
  [
    ...new Set(
      errors.map((err) => {
        // Unions and intersections name their members by index: not part of the field's path.
        const path = err.context
          .filter((c, i) => {
            const parent = err.context[i - 1]?.type;
            return i > 0 && !(parent instanceof t.UnionType || parent instanceof t.IntersectionType);
          })
          .map((c) => c.key)
          .join('.');
        const leaf = err.context[err.context.length - 1];
        return `${path === '' ? 'event' : path}: expected ${leaf?.type.name ?? 'a valid value'}`;
      }),
    ),
  ]
    .slice(0, 5)
    .join('; ');

export const eventCodec = <E>(input: EventCodecInput<E>): EventCodec<E> =>
  input instanceof t.Type
    ? { encode: (e) => input.encode(e), decode: (u) => E.mapLeft(describe)(input.decode(u)) }
    : { encode: (e) => e, decode: input };

/**
 * Each event as the JSON text that will be stored, after checking it reads back: an event the log
 * could write but not read would break every later read of its stream.
 */
export const encodeEvents = <E>(codec: EventCodec<E>, stream: string, events: readonly E[]): string[] =>
  events.map((event, index) => {
    const value = codec.encode(event);
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol')
      throw new EventNotStorable(stream, index, 'has no JSON form');
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch (e) {
      throw new EventNotStorable(stream, index, `not JSON: ${(e as Error).message}`);
    }
    const back = codec.decode(JSON.parse(json));
    if (E.isLeft(back)) throw new EventNotStorable(stream, index, back.left);
    return json;
  });
