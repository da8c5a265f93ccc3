import { either as E } from 'fp-ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeChildMessage,
  decodeParentMessage,
} from '../../../src/ports/backfill-stages/stage-messages.ts';
import { planChunks } from '../../../src/domain/backfill-plan-chunks.ts';
import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from '../../../src/domain/candle.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { FIVE_DAYS, RELIANCE } from './backfill-fixtures.ts';

const chunk = planChunks([RELIANCE], FIVE_DAYS, 'minute')[0]!;
const reasonOf = (r: E.Either<string, unknown>): string => {
  if (E.isRight(r)) throw new Error(`expected a rejection, got ${JSON.stringify(r.right)}`);
  return r.left;
};

describe('child → parent messages', () => {
  it('decodes every kind', () => {
    const messages = [
      { type: 'heartbeat' },
      { type: 'chunk-fetched', chunkId: chunk.id, bars: 750 },
      { type: 'chunk-failed', chunkId: chunk.id, retryable: false, reason: 'unknown token' },
      { type: 'chunk-published', chunkId: chunk.id, bars: 0 },
      { type: 'fatal', reason: 'MSTOCK_API_KEY rejected' },
      {
        type: 'metrics',
        updates: [
          {
            kind: 'counter',
            name: 'external_api_calls_total',
            help: 'h',
            labels: { endpoint: 'historical', status: '200' },
            inc: 3,
          },
          { kind: 'gauge', name: 'g', help: 'h', value: -1.5 },
          { kind: 'histogram', name: 'd_seconds', help: 'h', buckets: [0.1, 1], values: [0.05, 2] },
        ],
      },
    ];
    for (const m of messages) expect(decodeChildMessage(m)).toEqual(E.right(m));
  });

  it('rejects what is not a message, naming what is wrong', () => {
    expect(reasonOf(decodeChildMessage(null))).toBe('child message without a type');
    expect(reasonOf(decodeChildMessage('heartbeat'))).toBe('child message without a type');
    expect(reasonOf(decodeChildMessage({ type: 'chunk-deleted', chunkId: chunk.id }))).toContain(
      'unknown type "chunk-deleted"',
    );
    expect(reasonOf(decodeChildMessage({ type: 'chunk-fetched', chunkId: chunk.id }))).toContain('bars');
    expect(reasonOf(decodeChildMessage({ type: 'chunk-fetched', chunkId: chunk.id, bars: -1 }))).toContain(
      'bars',
    );
    expect(reasonOf(decodeChildMessage({ type: 'chunk-fetched', chunkId: chunk.id, bars: 1.5 }))).toContain(
      'bars',
    );
    expect(
      reasonOf(decodeChildMessage({ type: 'chunk-fetched', chunkId: '../../etc/passwd', bars: 1 })),
    ).toContain('chunkId');
    expect(
      reasonOf(decodeChildMessage({ type: 'chunk-fetched', chunkId: '2885:week:1:2', bars: 1 })),
    ).toContain('chunkId');
    expect(
      reasonOf(
        decodeChildMessage({ type: 'chunk-failed', chunkId: chunk.id, retryable: 'yes', reason: 'x' }),
      ),
    ).toContain('retryable');
    expect(reasonOf(decodeChildMessage({ type: 'toString' }))).toContain('unknown type');
  });

  it('rejects metric batches that a registry could not take', () => {
    const batch = (update: object) => ({ type: 'metrics', updates: [update] });
    const counter = { kind: 'counter', name: 'x_total', help: 'h', inc: 1 };
    expect(E.isRight(decodeChildMessage(batch(counter)))).toBe(true);
    expect(reasonOf(decodeChildMessage(batch({ ...counter, name: 'bad name' })))).toContain('name');
    expect(reasonOf(decodeChildMessage(batch({ ...counter, inc: -1 })))).toContain('inc');
    expect(reasonOf(decodeChildMessage(batch({ ...counter, labels: { __name__: 'x' } })))).toContain(
      'labels',
    );
    expect(reasonOf(decodeChildMessage(batch({ ...counter, labels: { status: 200 } })))).toContain('labels');
    expect(
      reasonOf(decodeChildMessage(batch({ kind: 'gauge', name: 'g', help: 'h', value: null }))),
    ).toContain('value');
  });
});

describe('parent → child messages', () => {
  it('decodes work whose chunks agree with their ids, and refuses the rest', () => {
    const fetch = { type: 'fetch', items: [{ chunk, exchange: 'NSE', file: '/data/x.ndjson' }] };
    expect(decodeParentMessage(fetch)).toEqual(E.right(fetch));
    expect(decodeParentMessage({ type: 'stop' })).toEqual(E.right({ type: 'stop' }));
    const moved = { ...chunk, from: chunk.from + 60_000 };
    expect(
      reasonOf(decodeParentMessage({ ...fetch, items: [{ ...fetch.items[0], chunk: moved }] })),
    ).toContain('chunk');
    expect(
      reasonOf(decodeParentMessage({ ...fetch, items: [{ ...fetch.items[0], file: 'relative.ndjson' }] })),
    ).toContain('file');
    expect(
      reasonOf(decodeParentMessage({ ...fetch, items: [{ ...fetch.items[0], exchange: 'LSE' }] })),
    ).toContain('exchange');
    expect(reasonOf(decodeParentMessage({ type: 'publish', items: [{ chunkId: chunk.id }] }))).toContain(
      'file',
    );
  });

  it('decodes publish work with or without the exchange for its ticks, and refuses an unknown one', () => {
    const item = { chunkId: chunk.id, file: '/data/x.ndjson' };
    for (const items of [[item], [{ ...item, exchange: 'BSE' }]]) {
      expect(decodeParentMessage({ type: 'publish', items })).toEqual(E.right({ type: 'publish', items }));
    }
    expect(
      reasonOf(decodeParentMessage({ type: 'publish', items: [{ ...item, exchange: 'MCX' }] })),
    ).toContain('exchange');
  });

  it('round-trips any planned chunk through JSON', () => {
    const intervals = Object.keys(CANDLE_INTERVAL_MINUTES) as CandleInterval[];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(...intervals),
        fc.integer({ min: 1, max: 5 }),
        (token, interval, days) => {
          for (const c of planChunks([instrumentToken(token)], FIVE_DAYS.slice(0, days), interval)) {
            const m = { type: 'fetch', items: [{ chunk: c, exchange: 'NSE', file: '/d/f' }] };
            expect(decodeParentMessage(JSON.parse(JSON.stringify(m)))).toEqual(E.right(m));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
