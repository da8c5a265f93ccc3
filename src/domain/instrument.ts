import type { Brand } from './units.ts';

/** An exchange instrument token as m.Stock and NSE number it ("26000" is NIFTY 50), kept as a string. */
export type InstrumentToken = Brand<string, 'InstrumentToken'>;

export type Exchange = 'NSE' | 'BSE' | 'NFO' | 'BFO';
export type InstrumentKind = 'index' | 'equity';

export interface Instrument {
  readonly token: InstrumentToken;
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly kind: InstrumentKind;
}

const TOKEN_PATTERN = /^[1-9][0-9]{0,9}$/;

/** Tokens are positive integers that fit the feed's 32-bit field; anything else is refused. */
export const isInstrumentToken = (s: string): s is InstrumentToken =>
  TOKEN_PATTERN.test(s) && Number(s) <= 0x7fffffff;

/** For values already known to be valid tokens (the feed's int32 field, a decoded config list). */
export const instrumentToken = (n: number | string): InstrumentToken => String(n) as InstrumentToken;
