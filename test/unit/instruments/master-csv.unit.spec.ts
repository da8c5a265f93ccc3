import { either as E } from 'fp-ts';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { csvRecords } from '../../../src/adapters/instruments/csv-records.ts';
import { gunzipIfNeeded } from '../../../src/adapters/instruments/gunzip-if-needed.ts';
import { readMasterCsv } from '../../../src/adapters/instruments/read-master-csv.ts';

const HEADER =
  'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange';

/** The text as a stream of chunks of `size` bytes: fields, quotes and UTF-8 characters cut anywhere. */
const chunked = (text: string | Uint8Array, size = 7): AsyncIterable<Uint8Array> => {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.slice(i, i + size));
  return ReadableStream.from(parts);
};

const records = async (text: string, size?: number) => {
  const out = [];
  for await (const r of csvRecords(chunked(text, size))) out.push(r);
  return out;
};

const content = async (text: string | Uint8Array) => {
  const r = await readMasterCsv(gunzipIfNeeded(chunked(text, 13)));
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right;
};

const refusal = async (text: string) => {
  const r = await readMasterCsv(chunked(text));
  return E.isLeft(r) ? r.left : 'read';
};

describe('csvRecords', () => {
  it('splits records as bytes arrive, with quoted commas, quotes, newlines and CRLF', async () => {
    const text = 'a,"b,c",d\r\n\r\n"say ""hi""",é\n"two\nlines",x\nlast,"unterminated';
    expect(await records(text, 3)).toEqual([
      { line: 1, fields: ['a', 'b,c', 'd'] },
      { line: 3, fields: ['say "hi"', 'é'] },
      { line: 4, fields: ['two\nlines', 'x'] },
      { line: 6, error: 'a quoted field is never closed' },
    ]);
  });

  it('reads a last line without a newline', async () => {
    expect(await records('a,b\nc,d', 1)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ]);
  });
});

describe('readMasterCsv', () => {
  const rows = [
    HEADER,
    '2885,2885,RELIANCE,"RELIANCE INDUSTRIES, LTD",1250.5,,0,0.05,1,EQ,NSE,NSE',
    '26000,26000,NIFTY 50,NIFTY 50,0,,0,0.05,1,INDEX,INDICES,NSE',
    '43210,43210,NIFTY2612082100CE,NIFTY,12.5,2026-12-08,21000,0.05,75,CE,NFO-OPT,NFO',
    '55555,55555,GOLDM,GOLD,0,2026-12-31,0,1,1,FUT,MCX,MCX',
    'x12,x12,BAD,BAD,0,,0,0.05,1,EQ,NSE,NSE',
    '777,777,BADEXP,NIFTY,0,08-12-2026,0,0.05,1,FUT,NFO-FUT,NFO',
    '778,778,,X,0,,0,0.05,1,EQ,NSE,NSE',
    '779,779,SHORT,NSE',
    '780,780,PRICE,P,abc,,0,0.05,1,EQ,NSE,NSE',
    '781,781,LOT,L,0,,0,0.05,,EQ,NSE,NSE',
    '782,782,OK2,OK2,,,,0.05,1,EQ,BSE,BSE',
  ].join('\n');

  it('decodes every row, counts the bad ones and reports the first five with their lines', async () => {
    const c = await content(`${rows}\n`);
    expect(c.rows).toBe(11);
    expect(c.unsupported).toBe(1);
    expect(c.instruments.map((i) => i.tradingSymbol)).toEqual([
      'RELIANCE',
      'NIFTY 50',
      'NIFTY2612082100CE',
      'OK2',
    ]);
    expect(c.instruments[0]).toEqual({
      token: '2885',
      exchangeToken: '2885',
      tradingSymbol: 'RELIANCE',
      name: 'RELIANCE INDUSTRIES, LTD',
      lastPrice: 1250.5,
      strike: 0,
      tickSize: 0.05,
      lotSize: 1,
      instrumentType: 'EQ',
      segment: 'NSE',
      exchange: 'NSE',
    });
    expect(c.instruments[2]).toMatchObject({
      expiry: '2026-12-08',
      strike: 21000,
      lotSize: 75,
      exchange: 'NFO',
    });
    expect(c.instruments[3]).toMatchObject({ lastPrice: 0, strike: 0, exchange: 'BSE' });
    expect(c.badRows).toEqual({
      count: 6,
      first: [
        { line: 6, reason: 'instrument_token "x12" is not a positive 32-bit integer' },
        { line: 7, reason: 'expiry "08-12-2026" is not a date YYYY-MM-DD' },
        { line: 8, reason: 'tradingsymbol is empty' },
        { line: 9, reason: '4 columns where the header has 12' },
        { line: 10, reason: 'last_price "abc" is not a number' },
      ],
    });
  });

  it('reads a gzipped master the same', async () => {
    const plain = await content(rows);
    const zipped = await content(gzipSync(Buffer.from(rows)));
    expect(zipped).toEqual(plain);
  });

  it('reads the columns by the header, in any order', async () => {
    const c = await content(
      'exchange,segment,instrument_type,lot_size,tick_size,strike,expiry,last_price,name,tradingsymbol,exchange_token,instrument_token\nNSE,NSE,EQ,1,0.05,0,,10,TCS LTD,TCS,11536,11536\n',
    );
    expect(c.instruments).toMatchObject([
      { token: '11536', tradingSymbol: 'TCS', name: 'TCS LTD', lastPrice: 10 },
    ]);
  });

  it('refuses what is not a master: no header, nothing in it, no instrument, an error page', async () => {
    expect(await refusal('')).toBe('the file is empty');
    expect(await refusal('symbol,token\nNIFTY,26000\n')).toMatch(
      /^line 1: not a scriptmaster header \(no instrument_token, exchange_token, /,
    );
    expect(await refusal(`${HEADER}\n55555,55555,GOLDM,GOLD,0,,0,1,1,FUT,MCX,MCX\n`)).toBe(
      'no instrument in 1 rows (0 bad, 1 of other exchanges)',
    );
    expect(await refusal('<html><body>502 Bad Gateway</body></html>')).toMatch(/not a scriptmaster header/);
  });
});
