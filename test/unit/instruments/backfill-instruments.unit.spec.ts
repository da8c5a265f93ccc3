import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBackfillInstruments } from '../../../src/app/root/backfill-instruments.ts';
import { decodeConfig } from '../../../src/app/root/config/app-config.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import { either as E } from 'fp-ts';

const HEADER =
  'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange';

/** The standalone backfill's config: DATA_DIR and the query, nothing else. */
const configOf = (dataDir: string, query: string) => {
  const decoded = decodeConfig({ DATA_DIR: dataDir, INSTRUMENTS_QUERY: query }, 'replay');
  if (E.isLeft(decoded)) throw new Error(decoded.left.join('; '));
  return decoded.right;
};

describe('tickflow backfill on its own with INSTRUMENTS_QUERY', () => {
  it('evaluates the query on the newest master copy kept in DATA_DIR, each instrument with its exchange', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-bf-query-'));
    mkdirSync(join(dataDir, 'instruments'));
    writeFileSync(
      join(dataDir, 'instruments', 'scriptmaster-2099-01-02.csv'),
      [
        HEADER,
        '2885,2885,RELIANCE,RELIANCE,2500,,0,0.05,1,EQ,NSE,NSE',
        '500325,500325,RELIANCE,RELIANCE,2500,,0,0.05,1,EQ,BSE,BSE',
        '35001,35001,NIFTY99JANFUT,NIFTY,21000,2099-01-29,0,0.05,75,FUT,NFO-FUT,NFO',
      ].join('\n'),
    );
    const got = await loadBackfillInstruments(
      configOf(dataDir, 'tradingsymbol=RELIANCE exchange=BSE; segment=NFO-FUT name=NIFTY'),
    );
    expect(got.tokens).toEqual(['500325', '35001']);
    expect(got.exchangeOf(instrumentToken(500325))).toBe('BSE');
    expect(got.exchangeOf(instrumentToken(35001))).toBe('NFO');
  });

  it('stops naming the setting when no copy has been downloaded yet, or the query is bad', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tickflow-bf-query-'));
    await expect(loadBackfillInstruments(configOf(dataDir, 'exchange=NSE'))).rejects.toThrow(
      /^INSTRUMENTS_QUERY: no instrument master copy in .*instruments; run `tickflow instruments`/,
    );
    await expect(loadBackfillInstruments(configOf(dataDir, 'segmnet=NSE'))).rejects.toThrow(
      /^INSTRUMENTS_QUERY: at 1: unknown column "segmnet" \(did you mean segment\?\)/,
    );
  });
});
