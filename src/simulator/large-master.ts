import type { IstDate } from '../domain/ist.ts';
import type { MarketSession } from '../domain/market-session.ts';
import { monthlyExpiries, weeklyExpiries } from './contract-expiries.ts';
import { futureRow, optionChainRows, TokenCounter, type Underlying } from './derivative-rows.ts';
import type { SimInstrument } from './instrument-list.ts';
import type { MasterRow } from './master-row.ts';
import { referencePaise } from './reference-prices.ts';
import { hashSeed } from './seeded-random.ts';

/**
 * Token ranges. The feed's subscribe carries only the token (mstock-protocol.md, open question 3),
 * so no two rows of the master share one: NSE equities stay below the indices' 26000s, index
 * derivatives start at 35001, and BSE scrip codes (500000 and up) lie above all of them.
 */
const NSE_EQUITY_TOKENS_BELOW = 26_000;
const FIRST_DERIVATIVE_TOKEN = 35_001;
const FIRST_BSE_CODE = 500_001;

const MORE_NSE_EQUITIES = 2_000;
const MORE_BSE_EQUITIES = 1_450;

/** NSE index tokens as Kite lists them where known; the others stand in. */
const INDICES: readonly { readonly symbol: string; readonly token: number }[] = [
  { symbol: 'NIFTY 50', token: 26000 },
  { symbol: 'NIFTY AUTO', token: 26002 },
  { symbol: 'NIFTY IT', token: 26008 },
  { symbol: 'NIFTY BANK', token: 26009 },
  { symbol: 'NIFTY NEXT 50', token: 26013 },
  { symbol: 'INDIA VIX', token: 26017 },
  { symbol: 'NIFTY PHARMA', token: 26021 },
  { symbol: 'NIFTY FMCG', token: 26023 },
  { symbol: 'NIFTY MIDCAP 100', token: 26028 },
  { symbol: 'NIFTY FIN SERVICE', token: 26037 },
];

/** BSE scrip codes of some Nifty 50 names (the rest of the BSE rows are made up). */
const BSE_CODES: Readonly<Record<string, number>> = {
  RELIANCE: 500325,
  TCS: 532540,
  HDFCBANK: 500180,
  INFY: 500209,
  ICICIBANK: 532174,
  SBIN: 500112,
  ITC: 500875,
  LT: 500510,
  BHARTIARTL: 532454,
  AXISBANK: 532215,
};

export const UNDERLYINGS: readonly Underlying[] = [
  { name: 'NIFTY', spot: referencePaise('NIFTY 50') / 100, strikeStep: 50, lotSize: 75 },
  { name: 'BANKNIFTY', spot: referencePaise('NIFTY BANK') / 100, strikeStep: 100, lotSize: 35 },
];

const SYLLABLES = [
  'AR',
  'BHA',
  'CHE',
  'DEV',
  'GAN',
  'HIN',
  'JAY',
  'KAR',
  'LAK',
  'MAH',
  'NAV',
  'PRA',
  'RAJ',
  'SAN',
  'TAR',
  'VIK',
];
const SUFFIXES = ['IND', 'TECH', 'FIN', 'CHEM', 'STEEL', 'POWER', 'AGRO', 'PHARMA', 'INFRA', 'TEX'];

const equityRow = (token: number, symbol: string, exchange: 'NSE' | 'BSE', rupees: number): MasterRow => ({
  token,
  tradingSymbol: symbol,
  name: symbol,
  lastPrice: rupees,
  expiry: '',
  strike: 0,
  tickSize: 0.05,
  lotSize: 1,
  instrumentType: 'EQ',
  segment: exchange,
  exchange,
});

/** Made-up NSE equities with stable names and tokens, none equal to a token already taken. */
const moreNseEquities = (seed: number, taken: Set<number>, names: Set<string>): MasterRow[] => {
  const rows: MasterRow[] = [];
  for (let i = 0; rows.length < MORE_NSE_EQUITIES; i++) {
    const h = hashSeed(seed, 'equity', i);
    let symbol = `${SYLLABLES[h % 16] ?? ''}${SYLLABLES[(h >>> 4) % 16] ?? ''}${SUFFIXES[(h >>> 8) % 10] ?? ''}`;
    for (let n = 2; names.has(symbol); n++) symbol = `${symbol.replace(/\d+$/, '')}${n}`;
    let token = 100 + i * 12 + ((h >>> 12) % 12);
    while (taken.has(token)) token += 1;
    if (token >= NSE_EQUITY_TOKENS_BELOW) throw new RangeError('NSE equity tokens ran into the index range');
    taken.add(token);
    names.add(symbol);
    rows.push(equityRow(token, symbol, 'NSE', referencePaise(symbol) / 100));
  }
  return rows;
};

/** BSE listings of NSE names: the known codes first, then made-up codes from 500001 on. */
const bseEquities = (nse: readonly MasterRow[], taken: Set<number>): MasterRow[] => {
  const known = new Set(Object.values(BSE_CODES));
  let next = FIRST_BSE_CODE;
  return nse.slice(0, MORE_BSE_EQUITIES + 50).map((r) => {
    let code = BSE_CODES[r.tradingSymbol];
    if (code === undefined) {
      while (known.has(next) || taken.has(next)) next += 1;
      code = next++;
    }
    if (taken.has(code)) throw new RangeError(`BSE code ${code} is already an NSE token`);
    taken.add(code);
    return equityRow(code, r.tradingSymbol, 'BSE', r.lastPrice);
  });
};

/** The futures of two monthly expiries and the options of two weekly ones, for each underlying. */
const derivativeRows = (session: MarketSession, today: IstDate, tokens: TokenCounter): MasterRow[] => {
  const weeks = weeklyExpiries(session, today, 2);
  const months = monthlyExpiries(session, today, 2);
  return UNDERLYINGS.flatMap((u) => [
    ...months.map((m) => futureRow(u, m, today, tokens)),
    ...weeks.flatMap((w) => optionChainRows(u, w, months.includes(w), today, tokens)),
  ]);
};

export interface LargeMaster {
  readonly rows: readonly MasterRow[];
  /** Where the next listed contract's token comes from. */
  readonly tokens: TokenCounter;
}

/**
 * The `--universe large` instrument master (> 5,000 rows), the same for a seed and a market date:
 * the configured instruments (the Nifty 50), more NSE equities, NSE indices, NIFTY and BANKNIFTY
 * futures and weekly options, and BSE listings.
 */
export const buildLargeMaster = (
  base: readonly SimInstrument[],
  seed: number,
  session: MarketSession,
  today: IstDate,
): LargeMaster => {
  const taken = new Set(base.map((i) => i.token));
  const names = new Set(base.map((i) => i.symbol));
  const baseRows = base.map((i) =>
    i.kind === 'index'
      ? {
          ...equityRow(i.token, i.symbol, 'NSE', referencePaise(i.symbol) / 100),
          instrumentType: 'INDEX' as const,
          segment: 'INDICES' as const,
        }
      : equityRow(i.token, i.symbol, i.exchange === 'BSE' ? 'BSE' : 'NSE', referencePaise(i.symbol) / 100),
  );
  const indices = INDICES.filter((x) => !taken.has(x.token)).map((x) => {
    taken.add(x.token);
    return {
      ...equityRow(x.token, x.symbol, 'NSE', referencePaise(x.symbol) / 100),
      instrumentType: 'INDEX' as const,
      segment: 'INDICES' as const,
    };
  });
  const nse = [...baseRows.filter((r) => r.instrumentType === 'EQ'), ...moreNseEquities(seed, taken, names)];
  const bse = bseEquities(nse, taken);
  const tokens = new TokenCounter(FIRST_DERIVATIVE_TOKEN, FIRST_BSE_CODE);
  const derivatives = derivativeRows(session, today, tokens);
  if (derivatives.some((r) => taken.has(r.token)))
    throw new RangeError('a derivative token collides with an equity token');
  return {
    rows: [
      ...baseRows.filter((r) => r.instrumentType === 'INDEX'),
      ...indices,
      ...nse,
      ...derivatives,
      ...bse,
    ],
    tokens,
  };
};
