import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import type { InstrumentToken } from '../domain/instrument.ts';
import type { ShardCheckpoint } from '../domain/shard-checkpoint.ts';
import type { EpochMs } from '../domain/units.ts';
import { CountC, EpochMsC, TokenC } from './wire-codecs.ts';

/** The record format's version: a reader skips a record of a version it does not know. */
const VERSION = 1;

const ShardCheckpointValueC = t.type({
  v: t.literal(VERSION),
  shard: CountC,
  owner: t.string,
  writtenAt: EpochMsC,
  lastAccepted: t.record(TokenC, EpochMsC),
});

/** A shard checkpoint as a record of the cluster topic: key `shard-<i>`, value JSON. */
export const encodeShardCheckpoint = (c: ShardCheckpoint): { key: string; value: string } => ({
  key: `shard-${c.shard}`,
  value: JSON.stringify({
    v: VERSION,
    shard: c.shard,
    owner: c.owner,
    writtenAt: c.writtenAt,
    lastAccepted: Object.fromEntries(c.lastAccepted),
  }),
});

/**
 * The checkpoint a record holds, or the reason it holds none (not JSON, another version, a field
 * out of range): a reader logs it and keeps the checkpoint it had, never stops on it.
 */
export const decodeShardCheckpoint = (value: string): ShardCheckpoint | { readonly invalid: string } => {
  const parsed = E.tryCatch((): unknown => JSON.parse(value), E.toError);
  if (E.isLeft(parsed)) return { invalid: 'not JSON' };
  const decoded = ShardCheckpointValueC.decode(parsed.right);
  if (E.isLeft(decoded)) return { invalid: 'not a shard checkpoint of version 1' };
  const { shard, owner, writtenAt, lastAccepted } = decoded.right;
  return {
    shard,
    owner,
    writtenAt,
    lastAccepted: new Map(Object.entries(lastAccepted) as [InstrumentToken, EpochMs][]),
  };
};
