import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { decodeCandles, parseCandleTime } from '../../../src/adapters/mstock/candle-codec.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';

const NINE_FIFTEEN_IST = Date.UTC(2024, 0, 1, 3, 45); // 2024-01-01 09:15 IST

describe('parseCandleTime', () => {
  it.each(['2024-01-01T09:15:00+05', '2024-01-01T09:15:00+0530', '2024-01-01T09:15:00+05:30'])(
    'reads %s as 09:15 IST (a bare +05 means +05:30)',
    (text) => {
      expect(parseCandleTime(text)).toBe(NINE_FIFTEEN_IST);
    },
  );

  it('reads UTC, no offset (IST wall clock), a space separator and other offsets as written', () => {
    expect(parseCandleTime('2024-01-01T03:45:00Z')).toBe(NINE_FIFTEEN_IST);
    expect(parseCandleTime('2024-01-01 09:15:00')).toBe(NINE_FIFTEEN_IST);
    expect(parseCandleTime('2024-01-01T09:15')).toBe(NINE_FIFTEEN_IST);
    expect(parseCandleTime('2024-01-01T03:45:00+00:00')).toBe(NINE_FIFTEEN_IST);
    expect(parseCandleTime('2024-01-01T04:45:00+01')).toBe(NINE_FIFTEEN_IST);
  });

  it.each([
    '2024-02-30T09:15:00+05',
    '2024-13-01T09:15:00+05',
    '2024-01-01T24:00:00+05',
    '09:15',
    '',
    'yesterday',
  ])('refuses %s', (text) => {
    expect(parseCandleTime(text)).toBeUndefined();
  });
});

describe('decodeCandles', () => {
  const token = instrumentToken('2885');

  it('turns rows into candles of the token, in the order sent, ignoring an open-interest column', () => {
    const data = {
      candles: [
        ['2024-01-01T09:15:00+05', 3790, 3832, 3773.35, 3803, 825219],
        ['2024-01-01T09:16:00+05', 3803, 3810, 3800, 3805.5, 1200, 0],
      ],
    };
    expect(decodeCandles(data, token)).toEqual(
      E.right([
        { token, start: NINE_FIFTEEN_IST, open: 3790, high: 3832, low: 3773.35, close: 3803, volume: 825219 },
        {
          token,
          start: NINE_FIFTEEN_IST + 60_000,
          open: 3803,
          high: 3810,
          low: 3800,
          close: 3805.5,
          volume: 1200,
        },
      ]),
    );
  });

  it('says where the data is wrong, without the data', () => {
    const data = {
      candles: [
        ['2024-01-01T09:15:00+05', 1, 2, 3, 4, 5],
        ['bad time', 1, 2, 3, 'x', 5],
        [1, 2],
      ],
    };
    const result = decodeCandles(data, token);
    expect(E.isLeft(result) && result.left.paths).toEqual([
      'candles.1.start',
      'candles.1.close',
      'candles.2',
    ]);
    expect(JSON.stringify(result)).not.toContain('bad time');
    expect(E.isLeft(decodeCandles({ candles: [['2024-01-01T09:15:00+05', 1, 2, 3, 4, -1]] }, token))).toBe(
      true,
    );
    expect(E.isLeft(decodeCandles(null, token))).toBe(true);
  });
});
