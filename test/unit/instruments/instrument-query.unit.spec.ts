import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { formatQueryError, type InstrumentQuery } from '../../../src/domain/instrument-query.ts';
import { parseInstrumentQuery } from '../../../src/domain/instrument-query-parse.ts';
import { selectInstruments } from '../../../src/domain/instrument-query-select.ts';
import type { MasterInstrument } from '../../../src/domain/master-instrument.ts';
import { MASTER, TODAY, row } from './master-rows.ts';

const parsed = (text: string): InstrumentQuery => {
  const q = parseInstrumentQuery(text);
  if (E.isLeft(q)) throw new Error(q.left.map(formatQueryError).join('; '));
  return q.right;
};

const select = (text: string, rows: readonly MasterInstrument[] = MASTER, today = TODAY): string[] =>
  selectInstruments(parsed(text), rows, today).map((r) => r.tradingSymbol);

const errors = (text: string): string[] => {
  const q = parseInstrumentQuery(text);
  return E.isLeft(q) ? q.left.map(formatQueryError) : [];
};

/** NIFTY's options of 2026-12-08, its nearest expiry on TODAY. */
const NIFTY_NEAREST = ['21000CE', '21000PE', '22000CE', '23000CE'].map((s) => `NIFTY20261208${s}`);

describe('selectInstruments', () => {
  it('segment=NFO-OPT name=NIFTY expiry=nearest: the weekly options of the nearest expiry on or after today', () => {
    expect(select('segment=NFO-OPT name=NIFTY expiry=nearest')).toEqual(NIFTY_NEAREST);
  });

  it('expiry=next is the expiry after the nearest; nearest is per underlying', () => {
    expect(select('segment=NFO-OPT name=NIFTY expiry=next')).toEqual(['NIFTY2026121521000CE']);
    expect(select('segment=NFO-OPT expiry=nearest')).toEqual([...NIFTY_NEAREST, 'BANKNIFTY2026122948000CE']);
  });

  it('ranks only the expiries of the rows the other filters match (futures expire monthly)', () => {
    expect(select('segment=NFO-FUT name=NIFTY expiry=nearest')).toEqual(['NIFTY25DECFUT']);
    expect(select('instrument_type=FUT expiry=next')).toEqual(['NIFTY26JANFUT']);
  });

  it('an expiry on today is still the nearest; the day after, the next one is', () => {
    expect(
      select('name=NIFTY segment=NFO-OPT expiry=nearest', MASTER, '2026-12-08' as typeof TODAY),
    ).toHaveLength(4);
    expect(select('name=NIFTY segment=NFO-OPT expiry=nearest', MASTER, '2026-12-09' as typeof TODAY)).toEqual(
      ['NIFTY2026121521000CE'],
    );
  });

  it('strike ranges AND with the other filters', () => {
    expect(select('segment=NFO-OPT name=NIFTY expiry=nearest strike>=21000 strike<=22000')).toEqual([
      'NIFTY2026120821000CE',
      'NIFTY2026120821000PE',
      'NIFTY2026120822000CE',
    ]);
    expect(select('segment=NFO-OPT name=NIFTY expiry=nearest strike>22000')).toEqual([
      'NIFTY2026120823000CE',
    ]);
    expect(select('segment=NFO-OPT name=NIFTY strike<21000')).toEqual([]);
  });

  it('exchange=NSE instrument_type=EQ: NSE equities only', () => {
    expect(select('exchange=NSE instrument_type=EQ')).toEqual(['RELIANCE', 'TCS']);
  });

  it('; ORs queries, in master order, each instrument once', () => {
    expect(select('segment=INDICES; exchange=NSE instrument_type=EQ')).toEqual([
      'RELIANCE',
      'TCS',
      'NIFTY 50',
      'NIFTY BANK',
    ]);
    expect(select('exchange=NSE instrument_type=EQ; tradingsymbol=TCS; instrument_token=2885')).toEqual([
      'RELIANCE',
      'TCS',
    ]);
  });

  it('a master listing a row twice gives it once', () => {
    const [first] = MASTER;
    expect(select('tradingsymbol=RELIANCE exchange=NSE', [first!, first!])).toEqual(['RELIANCE']);
  });

  it('= takes lists and * wildcards, case-insensitive; != excludes', () => {
    expect(select('name=nifty,BankNifty instrument_type=fut')).toEqual(['NIFTY25DECFUT', 'NIFTY26JANFUT']);
    expect(select('tradingsymbol=nifty202612*22000*')).toEqual(['NIFTY2026120822000CE']);
    expect(select('segment=INDICES tradingsymbol!=*BANK')).toEqual(['NIFTY 50']);
    expect(select('exchange!=NFO,NSE')).toEqual(['RELIANCE']);
  });

  it('numbers compare by value, expiry dates as dates, a missing expiry matches no comparison', () => {
    expect(select('instrument_token=2885.0')).toEqual(['RELIANCE']);
    expect(select('last_price>1000 last_price<2000')).toEqual(['RELIANCE']);
    expect(select('expiry>2026-12-29')).toEqual(['NIFTY26JANFUT', 'BANKNIFTY2027012648000CE']);
    expect(select('expiry=2026-12-15')).toEqual(['NIFTY2026121521000CE']);
    expect(select('expiry=2027-01*')).toEqual(['NIFTY26JANFUT', 'BANKNIFTY2027012648000CE']);
    expect(select('instrument_type=INDEX expiry<2030-01-01')).toEqual([]);
  });

  it('quoted values keep their spaces and commas', () => {
    expect(select('tradingsymbol="NIFTY BANK"')).toEqual(['NIFTY BANK']);
    const odd = row({ tradingSymbol: 'A,B', name: 'A,B' });
    expect(select('tradingsymbol="A,B",TCS', [...MASTER, odd])).toEqual(['TCS', 'A,B']);
  });

  it('spaces around an operator are allowed', () => {
    expect(select('segment = NFO-OPT name=NIFTY expiry = nearest strike >= 22000')).toEqual([
      'NIFTY2026120822000CE',
      'NIFTY2026120823000CE',
    ]);
  });
});

describe('parseInstrumentQuery: errors name the position and the problem', () => {
  it('an empty query', () => {
    expect(errors('')).toEqual([
      'at 1: empty query: give at least one filter (e.g. segment=NFO-OPT name=NIFTY expiry=nearest)',
    ]);
    expect(errors('   ')).toHaveLength(1);
    expect(errors('exchange=NSE;')).toEqual(['at 14: empty query after the last ";"']);
    expect(errors('exchange=NSE; ;segment=INDICES')).toEqual(['at 15: empty query before this ";"']);
  });

  it('an unknown column, with the column most likely meant', () => {
    expect(errors('segmnet=NFO-OPT')).toEqual(['at 1: unknown column "segmnet" (did you mean segment?)']);
    expect(errors('exchange=NSE instrument-type=EQ')).toEqual([
      'at 14: unknown column "instrument-type" (did you mean instrument_type?)',
    ]);
    expect(errors('name=NIFTY expirey=nearest')).toEqual([
      'at 12: unknown column "expirey" (did you mean expiry?)',
    ]);
    expect(errors('symbol=TCS')).toEqual(['at 1: unknown column "symbol" (did you mean tradingsymbol?)']);
    expect(errors('colour=red')[0]).toMatch(
      /^at 1: unknown column "colour"; the columns are instrument_token, /,
    );
  });

  it('a filter without operator or value', () => {
    expect(errors('segment')).toEqual([
      'at 1: "segment" needs an operator (=, !=, <, <=, >, >=) and a value, e.g. segment=...',
    ]);
    expect(errors('segment=')).toEqual(['at 1: segment= has no value']);
    expect(errors('name= segment=NSE')).toEqual(['at 1: name= has no value']);
    expect(errors('=NSE')).toEqual([
      'at 1: expected a filter column<op>value, found "=NSE" (e.g. segment=NFO-OPT name=NIFTY expiry=nearest)',
    ]);
  });

  it('values of the wrong kind', () => {
    expect(errors('strike>=abc')).toEqual(['at 1: strike>= takes a number, not "abc"']);
    expect(errors('lot_size=1,x')).toEqual(['at 12: lot_size takes numbers, not "x"']);
    expect(errors('expiry=tomorrow')).toEqual([
      'at 8: expiry takes a date (YYYY-MM-DD), nearest or next, not "tomorrow"',
    ]);
    expect(errors('expiry<nearest')).toEqual(['at 1: expiry< takes a date (YYYY-MM-DD), not "nearest"']);
    expect(errors('expiry=2026-02-30')).toHaveLength(1);
    expect(errors('name>NIFTY')).toEqual([
      'at 1: name is text: choose values with = or != (wildcards: *), not >',
    ]);
    expect(errors('strike<=1,2')).toEqual(['at 1: strike<= takes one value, not a list']);
    expect(errors('name=NIFTY,,BANKNIFTY')).toEqual(['at 12: an empty value in the list']);
    expect(errors('name="NIFTY')).toEqual(['at 6: this quote is never closed']);
  });

  it('reports every bad filter at once, and parses what is right', () => {
    expect(errors('segmnet=NSE strike>x; expiry=soon')).toEqual([
      'at 1: unknown column "segmnet" (did you mean segment?)',
      'at 13: strike> takes a number, not "x"',
      'at 30: expiry takes a date (YYYY-MM-DD), nearest or next, not "soon"',
    ]);
    const q = parsed('Segment=NFO-OPT; NAME=nifty');
    expect(q.alternatives.map((a) => a.map((f) => f.column))).toEqual([['segment'], ['name']]);
  });
});
