import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { MetricsBatchC } from './metrics-wire.ts';
import { ChunkC, ChunkIdC, CountC, ExchangeC } from '../wire-codecs.ts';

/**
 * The messages between the backfill's parent process and its two stage processes, over the
 * `fork` IPC channel (JSON). Each side decodes what it receives: a message from another process
 * is data from outside.
 */

export const MAX_REASON_LENGTH = 2000;
const Reason = t.refinement(
  t.string,
  (s) => s.length <= MAX_REASON_LENGTH,
  `a reason (at most ${MAX_REASON_LENGTH} characters)`,
);
const AbsolutePath = t.refinement(
  t.string,
  (s) => s.startsWith('/') && !s.includes('\0'),
  'an absolute path',
);

/** Child → parent, by type. */
const CHILD = {
  heartbeat: t.type({ type: t.literal('heartbeat') }),
  /** The stage is built (its adapters connected) and takes work. */
  ready: t.type({ type: t.literal('ready') }),
  /** The chunk's candles are in its data file, complete. */
  'chunk-fetched': t.type({ type: t.literal('chunk-fetched'), chunkId: ChunkIdC, bars: CountC }),
  /** The stage could not do the chunk; `retryable` false when trying again cannot help. */
  'chunk-failed': t.type({
    type: t.literal('chunk-failed'),
    chunkId: ChunkIdC,
    retryable: t.boolean,
    reason: Reason,
  }),
  /** Every tick of the chunk was accepted by the sink and flushed to its destination. */
  'chunk-published': t.type({ type: t.literal('chunk-published'), chunkId: ChunkIdC, bars: CountC }),
  /** The stage cannot work at all (its settings, a refused login); it exits next. */
  fatal: t.type({ type: t.literal('fatal'), reason: Reason }),
  /** A message from the parent did not decode: the work it carried will never be done. */
  refused: t.type({ type: t.literal('refused'), reason: Reason }),
  metrics: MetricsBatchC,
};
export type ChildMessage = t.TypeOf<(typeof CHILD)[keyof typeof CHILD]>;

export const FetchItemC = t.type({ chunk: ChunkC, exchange: ExchangeC, file: AbsolutePath });
export type FetchItem = t.TypeOf<typeof FetchItemC>;

/** `exchange`: the chunk's instrument's, stamped on its ticks (absent from an older parent). */
export const PublishItemC = t.intersection([
  t.type({ chunkId: ChunkIdC, file: AbsolutePath }),
  t.partial({ exchange: ExchangeC }),
]);
export type PublishItem = t.TypeOf<typeof PublishItemC>;

/** Parent → child, by type. */
const PARENT = {
  /** Work for the fetch stage, queued after what it already has. */
  fetch: t.type({ type: t.literal('fetch'), items: t.readonlyArray(FetchItemC) }),
  /** Work for the publish stage, queued after what it already has. */
  publish: t.type({ type: t.literal('publish'), items: t.readonlyArray(PublishItemC) }),
  /** Finish: stop taking work, flush, send the last metrics, exit 0. */
  stop: t.type({ type: t.literal('stop') }),
};
export type ParentMessage = t.TypeOf<(typeof PARENT)[keyof typeof PARENT]>;

const describe = (errors: t.Errors): string => {
  const first = errors[0];
  if (first === undefined) return 'not a message';
  const path = first.context
    .slice(1)
    .map((c) => c.key)
    .filter((k) => k !== '')
    .join('.');
  const leaf = first.context[first.context.length - 1];
  return `${path === '' ? 'message' : path}: expected ${leaf?.type.name ?? 'a valid value'}`;
};

/**
 * Decodes with the codec that the message's `type` names, so an error speaks of that message's
 * fields rather than of every kind of message it is not.
 */
const decodeTagged = <K extends string, A>(
  who: string,
  codecs: Readonly<Record<K, t.Decoder<unknown, A>>>,
  u: unknown,
): E.Either<string, A> => {
  const type = typeof u === 'object' && u !== null && 'type' in u ? u.type : undefined;
  if (typeof type !== 'string') return E.left(`${who} message without a type`);
  const shown = JSON.stringify(type.slice(0, 40));
  const isKnown = (k: string): k is K => Object.hasOwn(codecs, k);
  if (!isKnown(type)) return E.left(`${who} message of unknown type ${shown}`);
  return E.mapLeft((errors: t.Errors) => `${who} message ${shown}: ${describe(errors)}`)(
    codecs[type].decode(u),
  );
};

export const decodeChildMessage = (u: unknown): E.Either<string, ChildMessage> =>
  decodeTagged<keyof typeof CHILD, ChildMessage>('child', CHILD, u);

export const decodeParentMessage = (u: unknown): E.Either<string, ParentMessage> =>
  decodeTagged<keyof typeof PARENT, ParentMessage>('parent', PARENT, u);
