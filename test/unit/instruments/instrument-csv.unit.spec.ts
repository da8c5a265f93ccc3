import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { loadInstrumentCsv } from '../../../src/adapters/instruments/instrument-csv.ts';
import { parseInstrumentCsv } from '../../../src/protocol/instrument-csv.ts';

describe('instrument list', () => {
  it('loads the shipped Nifty 50 list: the index and 50 constituents', async () => {
    const r = await loadInstrumentCsv('config/nifty50.csv');
    if (E.isLeft(r)) throw new Error(r.left.join('\n'));
    expect(r.right).toHaveLength(51);
    expect(r.right[0]).toEqual({ symbol: 'NIFTY 50', token: '26000', exchange: 'NSE', kind: 'index' });
    expect(r.right.filter((i) => i.kind === 'equity')).toHaveLength(50);
    expect(r.right.find((i) => i.symbol === 'TCS')?.token).toBe('11536');
  });

  it('reports each bad line with its number', () => {
    const r = parseInstrumentCsv(
      'symbol,token,exchange,kind\nA,abc,NSE,equity\nB,1,XNSE,equity\nC,2,NSE,equity,extra\nD,3,NSE,bond\nE,4,NSE,equity\nF,4,NSE,equity\n',
      'x.csv',
    );
    expect(E.isLeft(r) && r.left).toEqual([
      'x.csv:2: token "abc" is not a positive 32-bit integer',
      'x.csv:3: exchange "XNSE" is not one of NSE|BSE|NFO|BFO',
      'x.csv:4: expected 4 columns',
      'x.csv:5: kind "bond" is not one of index|equity',
      'x.csv:7: token 4 listed twice',
    ]);
  });

  it('refuses a file without the header, and a missing file', async () => {
    expect(E.isLeft(parseInstrumentCsv('26000\n', 'y.csv'))).toBe(true);
    const missing = await loadInstrumentCsv('/nonexistent.csv');
    expect(E.isLeft(missing) && missing.left[0]).toBe('/nonexistent.csv: cannot read (ENOENT)');
  });
});
