import * as t from 'io-ts';
import type { GapId, GapLedgerEvent } from '../../../domain/gap-ledger.ts';
import { CountC, EpochMsC, TokenC } from '../../wire-codecs.ts';

const GapIdC = new t.Type<GapId, string, unknown>(
  'a gap id',
  (u): u is GapId => typeof u === 'string' && u.length > 0 && u.length <= 200,
  (u, c) =>
    typeof u === 'string' && u.length > 0 && u.length <= 200 ? t.success(u as GapId) : t.failure(u, c),
  (a) => a,
);
const CauseC = t.keyof({
  disconnect: null,
  'mute-socket': null,
  'silent-instrument': null,
  'process-down': null,
  stopped: null,
  failover: null,
});

/** How gap ledger events are stored in the event log (stream `gaps`), every field checked on read. */
export const GapLedgerEventC: t.Type<GapLedgerEvent, unknown> = t.union([
  t.type({
    type: t.literal('FeedGapOpened'),
    data: t.type({
      gapId: GapIdC,
      tokens: t.readonlyArray(TokenC),
      from: EpochMsC,
      to: EpochMsC,
      cause: CauseC,
      at: EpochMsC,
    }),
  }),
  t.type({
    type: t.literal('GapFillShort'),
    data: t.type({
      gapId: GapIdC,
      at: EpochMsC,
      attempt: CountC,
      expected: CountC,
      received: CountC,
      tokens: t.readonlyArray(TokenC),
    }),
  }),
  t.type({
    type: t.literal('GapFilled'),
    data: t.intersection([
      t.type({
        gapId: GapIdC,
        at: EpochMsC,
        how: t.keyof({ backfilled: null, 'nothing-to-fill': null, short: null }),
      }),
      t.partial({ expected: CountC, received: CountC }),
    ]),
  }),
]);
