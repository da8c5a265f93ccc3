import { either as E } from 'fp-ts';
import {
  isInstrumentToken,
  type Exchange,
  type Instrument,
  type InstrumentKind,
} from '../domain/instrument.ts';

const EXCHANGES: readonly Exchange[] = ['NSE', 'BSE', 'NFO', 'BFO'];
const KINDS: readonly InstrumentKind[] = ['index', 'equity'];

/**
 * Reads an instrument list: a header `symbol,token,exchange,kind`, then one instrument a line
 * (the format of config/nifty50.csv). Every bad line is reported with its number. Pure, so that
 * tickflow and its simulator read a list alike without either importing the other's code.
 */
export const parseInstrumentCsv = (
  text: string,
  source: string,
): E.Either<readonly string[], readonly Instrument[]> => {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim().toLowerCase();
  if (header !== 'symbol,token,exchange,kind')
    return E.left([`${source}:1: expected the header symbol,token,exchange,kind`]);
  const errors: string[] = [];
  const out: Instrument[] = [];
  const seen = new Set<string>();
  lines.slice(1).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source}:${i + 2}`;
    const [symbol, token, exchange, kind, ...rest] = line.split(',').map((c) => c.trim());
    if (
      symbol === undefined ||
      token === undefined ||
      exchange === undefined ||
      kind === undefined ||
      rest.length > 0
    ) {
      errors.push(`${where}: expected 4 columns`);
      return;
    }
    const ex = EXCHANGES.find((e) => e === exchange);
    const k = KINDS.find((v) => v === kind);
    if (symbol === '') errors.push(`${where}: empty symbol`);
    else if (!isInstrumentToken(token))
      errors.push(`${where}: token "${token}" is not a positive 32-bit integer`);
    else if (ex === undefined)
      errors.push(`${where}: exchange "${exchange}" is not one of ${EXCHANGES.join('|')}`);
    else if (k === undefined) errors.push(`${where}: kind "${kind}" is not one of ${KINDS.join('|')}`);
    else if (seen.has(`${ex}:${token}`)) errors.push(`${where}: token ${token} listed twice`);
    else {
      seen.add(`${ex}:${token}`);
      out.push({ symbol, token, exchange: ex, kind: k });
    }
  });
  if (errors.length > 0) return E.left(errors);
  if (out.length === 0) return E.left([`${source}: no instruments`]);
  return E.right(out);
};
