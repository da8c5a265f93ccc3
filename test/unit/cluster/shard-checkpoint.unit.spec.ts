import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILOVER_GAP_MIN_MS, gapOfDowntime, type Downtime } from '../../../src/domain/gap-downtime.ts';
import { instrumentToken, type InstrumentToken } from '../../../src/domain/instrument.ts';
import { shardOf } from '../../../src/domain/shard.ts';
import {
  failoverDowntimes,
  shardCheckpointsOf,
  type ShardCheckpoint,
} from '../../../src/domain/shard-checkpoint.ts';
import { epochMs, type EpochMs } from '../../../src/domain/units.ts';
import { decodeShardCheckpoint, encodeShardCheckpoint } from '../../../src/ports/shard-checkpoint-record.ts';

const T0 = epochMs(1_763_530_000_000);
const at = (ms: number): EpochMs => epochMs(T0 + ms);
const token = (n: number): InstrumentToken => instrumentToken(n);

describe('shardCheckpointsOf', () => {
  it('puts each token in the record of its own shard, one record per shard that has one', () => {
    const shardCount = 12;
    const tokens = [26000, 2885, 11536, 1594, 3045, 1333].map(token);
    const lastAccepted = new Map(tokens.map((t, i) => [t, at(i * 100)]));
    const records = shardCheckpointsOf({ owner: 'a:1', writtenAt: at(5000), shardCount, lastAccepted });
    expect(records.map((r) => r.shard)).toEqual(
      [...new Set(tokens.map((t) => shardOf(t, shardCount)))].sort((a, b) => a - b),
    );
    for (const r of records) {
      expect(r.owner).toBe('a:1');
      expect(r.writtenAt).toBe(at(5000));
      for (const [t, ms] of r.lastAccepted) {
        expect(shardOf(t, shardCount)).toBe(r.shard);
        expect(ms).toBe(lastAccepted.get(t));
      }
    }
    expect(records.reduce((n, r) => n + r.lastAccepted.size, 0)).toBe(tokens.length);
  });

  it('writes nothing for a member that accepted no tick', () => {
    expect(
      shardCheckpointsOf({ owner: 'a', writtenAt: T0, shardCount: 12, lastAccepted: new Map() }),
    ).toEqual([]);
  });
});

describe('failoverDowntimes', () => {
  it('gives each token a previous owner named a failover from its last accepted tick; no checkpoint, none', () => {
    const checkpoints: ShardCheckpoint[] = [
      { shard: 1, owner: 'a', writtenAt: at(900), lastAccepted: new Map([[token(25), at(800)]]) },
      { shard: 4, owner: 'b', writtenAt: at(900), lastAccepted: new Map([[token(2885), at(700)]]) },
    ];
    expect(failoverDowntimes(checkpoints)).toEqual(
      new Map([
        [token(25), { from: at(800), cause: 'failover' }],
        [token(2885), { from: at(700), cause: 'failover' }],
      ]),
    );
    expect(failoverDowntimes([])).toEqual(new Map());
  });
});

describe('gapOfDowntime', () => {
  const failover: Downtime = { from: at(0), cause: 'failover' };

  it('opens no failover gap for a hand-over shorter than FAILOVER_GAP_MIN_MS, and one from its start at or above it', () => {
    expect(gapOfDowntime(token(25), failover, at(FAILOVER_GAP_MIN_MS - 1))).toBeUndefined();
    expect(gapOfDowntime(token(25), failover, at(FAILOVER_GAP_MIN_MS))).toEqual({
      tokens: [token(25)],
      from: at(0),
      to: at(FAILOVER_GAP_MIN_MS),
      cause: 'failover',
    });
  });

  it("is below the shortest session timeout Kafka allows (6 s): a dead member's failover is always on record", () => {
    expect(FAILOVER_GAP_MIN_MS).toBeLessThan(6000);
    expect(gapOfDowntime(token(25), failover, at(6000))?.cause).toBe('failover');
  });

  it('keeps every downtime between runs, however short', () => {
    expect(gapOfDowntime(token(25), { from: at(0), cause: 'stopped' }, at(10))).toEqual({
      tokens: [token(25)],
      from: at(0),
      to: at(10),
      cause: 'stopped',
    });
  });
});

describe('the shard checkpoint record', () => {
  it('round-trips, keyed by its shard', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1023 }),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.dictionary(
          fc.integer({ min: 1, max: 0x7fffffff }).map(String),
          fc.integer({ min: 0, max: 4_000_000_000_000 }),
        ),
        (shard, owner, writtenAt, ticks) => {
          const checkpoint: ShardCheckpoint = {
            shard,
            owner,
            writtenAt: epochMs(writtenAt),
            lastAccepted: new Map(Object.entries(ticks).map(([t, ms]) => [instrumentToken(t), epochMs(ms)])),
          };
          const record = encodeShardCheckpoint(checkpoint);
          expect(record.key).toBe(`shard-${shard}`);
          expect(decodeShardCheckpoint(record.value)).toEqual(checkpoint);
        },
      ),
    );
  });

  it('names what is wrong with a record it cannot read, rather than throwing', () => {
    expect(decodeShardCheckpoint('{')).toEqual({ invalid: 'not JSON' });
    const v2 = JSON.stringify({ v: 2, shard: 1, owner: 'a', writtenAt: 1, lastAccepted: {} });
    expect(decodeShardCheckpoint(v2)).toHaveProperty('invalid');
    const badTick = JSON.stringify({ v: 1, shard: 1, owner: 'a', writtenAt: 1, lastAccepted: { '25': -5 } });
    expect(decodeShardCheckpoint(badTick)).toHaveProperty('invalid');
  });
});
