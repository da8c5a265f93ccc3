import { hashSeed } from './seeded-random.ts';

/**
 * Plausible late-2025 prices in rupees, so the simulated market looks like NSE (after the 2025
 * bonus issues and splits of HDFCBANK, BAJFINANCE and NESTLEIND). Not market data: an anchor
 * around which each day's price wanders.
 */
const REFERENCE_RUPEES: Readonly<Record<string, number>> = {
  'NIFTY 50': 25_900,
  'NIFTY BANK': 58_000,
  'NIFTY IT': 36_000,
  'NIFTY FIN SERVICE': 27_000,
  'NIFTY NEXT 50': 69_000,
  'NIFTY MIDCAP 100': 60_000,
  'INDIA VIX': 12,
  ADANIENT: 2_400,
  ADANIPORTS: 1_450,
  APOLLOHOSP: 7_500,
  ASIANPAINT: 2_500,
  AXISBANK: 1_250,
  'BAJAJ-AUTO': 9_000,
  BAJFINANCE: 1_000,
  BAJAJFINSV: 2_050,
  BEL: 420,
  BHARTIARTL: 2_100,
  CIPLA: 1_520,
  COALINDIA: 385,
  DRREDDY: 1_250,
  EICHERMOT: 7_000,
  ETERNAL: 300,
  GRASIM: 2_750,
  HCLTECH: 1_600,
  HDFCBANK: 990,
  HDFCLIFE: 760,
  HINDALCO: 800,
  HINDUNILVR: 2_450,
  ICICIBANK: 1_380,
  INDIGO: 5_700,
  INFY: 1_550,
  ITC: 405,
  JIOFIN: 300,
  JSWSTEEL: 1_150,
  KOTAKBANK: 2_100,
  LT: 4_000,
  'M&M': 3_650,
  MARUTI: 16_000,
  MAXHEALTH: 1_100,
  NESTLEIND: 1_250,
  NTPC: 330,
  ONGC: 245,
  POWERGRID: 290,
  RELIANCE: 1_400,
  SBILIFE: 2_000,
  SBIN: 950,
  SHRIRAMFIN: 800,
  SUNPHARMA: 1_750,
  TATACONSUM: 1_150,
  TMPV: 400,
  TATASTEEL: 170,
  TCS: 3_100,
  TECHM: 1_450,
  TITAN: 3_800,
  TRENT: 4_500,
  ULTRACEMCO: 12_000,
  WIPRO: 245,
};

/** The tick size the simulator moves prices by: 5 paise. */
export const TICK_PAISE = 5;

export const roundToTick = (paise: number): number =>
  Math.max(TICK_PAISE, Math.round(paise / TICK_PAISE) * TICK_PAISE);

/** A symbol's reference price in paise; a symbol not in the table gets a stable one from its name. */
export const referencePaise = (symbol: string): number => {
  const rupees = REFERENCE_RUPEES[symbol] ?? 100 + (hashSeed('reference', symbol) % 4_900);
  return roundToTick(rupees * 100);
};
