import { either as E } from 'fp-ts';
import {
  COLUMN_TYPES,
  QUERY_COLUMNS,
  isQueryColumn,
  nearestColumn,
  type QueryColumn,
} from './instrument-query-columns.ts';
import type { CompareOp, InstrumentQuery, MatchValue, QueryError, QueryFilter } from './instrument-query.ts';
import { parseIstDate } from './ist.ts';

type Op = '=' | '!=' | CompareOp;
/** Longest first, so `<=` is not read as `<` followed by a value `=...`. */
const OPS: readonly Op[] = ['!=', '<=', '>=', '=', '<', '>'];
const COLUMN_NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /^-?\d+(\.\d+)?$/;
const EXAMPLE = 'e.g. segment=NFO-OPT name=NIFTY expiry=nearest';

interface Item {
  readonly text: string;
  /** Where the item's first character is, for errors. */
  readonly position: number;
  readonly hasWildcard: boolean;
}

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
const endsTerm = (c: string | undefined): boolean => c === undefined || c === ';' || isSpace(c);

/** Reads a query text one character at a time; every error keeps its 1-based position. */
class Scanner {
  i = 0;
  readonly errors: QueryError[] = [];
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  peek(offset = 0): string | undefined {
    return this.text[this.i + offset];
  }
  skipSpaces(): void {
    while (isSpace(this.peek())) this.i++;
  }
  /** Skips the rest of a bad filter, so one mistake gives one error. */
  skipTerm(): void {
    let quoted = false;
    while (this.i < this.text.length && (quoted || !endsTerm(this.peek()))) {
      if (this.peek() === '"') quoted = !quoted;
      this.i++;
    }
  }
  fail(position: number, message: string): undefined {
    this.errors.push({ position, message });
    this.skipTerm();
    return undefined;
  }
}

const wildcardPattern = (text: string): RegExp =>
  new RegExp(
    `^${text
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );

/** The value list after an operator: comma-separated items, `"…"` quoting spaces, commas and `;`. */
const readItems = (s: Scanner): Item[] | undefined => {
  const items: Item[] = [];
  let text = '';
  let start = s.i + 1;
  let wildcard = false;
  const push = (): void => {
    items.push({ text, position: start, hasWildcard: wildcard });
    text = '';
    wildcard = false;
    start = s.i + 2;
  };
  while (!endsTerm(s.peek())) {
    const c = s.peek() ?? '';
    if (c === '"') {
      const open = s.i + 1;
      const close = s.text.indexOf('"', s.i + 1);
      if (close < 0) return s.fail(open, 'this quote is never closed');
      const quoted = s.text.slice(s.i + 1, close);
      wildcard ||= quoted.includes('*');
      text += quoted;
      s.i = close + 1;
      continue;
    }
    if (c === ',') push();
    else {
      if (c === '*') wildcard = true;
      text += c;
    }
    s.i++;
  }
  push();
  return items;
};

const matchValue = (column: QueryColumn, item: Item): MatchValue | string => {
  if (item.text === '') return 'an empty value in the list';
  if (item.hasWildcard) return { kind: 'pattern', pattern: wildcardPattern(item.text) };
  switch (COLUMN_TYPES[column]) {
    case 'text':
      return { kind: 'exact', text: item.text.toUpperCase() };
    case 'number':
      return NUMBER.test(item.text)
        ? { kind: 'exact', text: item.text, number: Number(item.text) }
        : `${column} takes numbers, not "${item.text}"`;
    case 'date': {
      const word = item.text.toLowerCase();
      if (word === 'nearest' || word === 'next') return { kind: 'rank', rank: word };
      return parseIstDate(item.text) === undefined
        ? `${column} takes a date (YYYY-MM-DD), nearest or next, not "${item.text}"`
        : { kind: 'exact', text: item.text };
    }
  }
};

const compareValue = (
  column: QueryColumn,
  op: CompareOp,
  item: Item,
): { readonly value: number | string } | string => {
  switch (COLUMN_TYPES[column]) {
    case 'text':
      return `${column} is text: choose values with = or != (wildcards: *), not ${op}`;
    case 'number':
      return NUMBER.test(item.text)
        ? { value: Number(item.text) }
        : `${column}${op} takes a number, not "${item.text}"`;
    case 'date':
      return parseIstDate(item.text) === undefined
        ? `${column}${op} takes a date (YYYY-MM-DD), not "${item.text}"`
        : { value: item.text };
  }
};

const unknownColumn = (name: string): string => {
  const guess = nearestColumn(name);
  return guess === undefined
    ? `unknown column "${name}"; the columns are ${QUERY_COLUMNS.join(', ')}`
    : `unknown column "${name}" (did you mean ${guess}?)`;
};

/** One `column<op>value` at the scanner's position, or undefined after recording why not. */
const readFilter = (s: Scanner): QueryFilter | undefined => {
  const position = s.i + 1;
  COLUMN_NAME.lastIndex = s.i;
  const name = COLUMN_NAME.exec(s.text)?.[0];
  if (name === undefined) {
    const found = s.text.slice(s.i).split(/[\s;]/)[0] ?? '';
    return s.fail(position, `expected a filter column<op>value, found "${found}" (${EXAMPLE})`);
  }
  s.i += name.length;
  s.skipSpaces();
  const op = OPS.find((o) => s.text.startsWith(o, s.i));
  if (op === undefined) {
    return s.fail(
      position,
      `"${name}" needs an operator (=, !=, <, <=, >, >=) and a value, e.g. ${name}=...`,
    );
  }
  const column = name.toLowerCase();
  if (!isQueryColumn(column)) return s.fail(position, unknownColumn(name));
  s.i += op.length;
  const afterOp = s.i;
  s.skipSpaces();
  // `strike >= 21000` is fine, but in `name= segment=NSE` the next filter is not the value.
  const next = s.text.slice(s.i).split(/[\s;]/)[0] ?? '';
  if (endsTerm(s.peek()) || (s.i > afterOp && /^[A-Za-z_][\w-]*\s*[=<>!]/.test(next))) {
    s.i = afterOp;
    return s.fail(position, `${name}${op} has no value`);
  }
  const items = readItems(s);
  if (items === undefined) return undefined;
  if (op === '=' || op === '!=') {
    const values: MatchValue[] = [];
    for (const item of items) {
      const v = matchValue(column, item);
      if (typeof v === 'string') {
        s.errors.push({ position: item.position, message: v });
        return undefined;
      }
      values.push(v);
    }
    return { kind: 'match', column, negated: op === '!=', values, position };
  }
  const [only, ...more] = items;
  if (only === undefined || more.length > 0) {
    s.errors.push({ position, message: `${name}${op} takes one value, not a list` });
    return undefined;
  }
  const compared = compareValue(column, op, only);
  if (typeof compared === 'string') {
    s.errors.push({ position, message: compared });
    return undefined;
  }
  return { kind: 'compare', column, op, value: compared.value, position };
};

/**
 * Parses INSTRUMENTS_QUERY: `;` separates alternatives (OR), whitespace separates the filters of
 * one (AND), a filter is `column<op>value` (`=`/`!=` take comma lists and `*` wildcards, text
 * compares without regard to case; `<`, `<=`, `>`, `>=` take one number or expiry date;
 * `expiry=nearest|next` picks each underlying's nearest or next expiry). Every error is reported,
 * each with its position.
 */
export const parseInstrumentQuery = (text: string): E.Either<readonly QueryError[], InstrumentQuery> => {
  if (text.trim() === '')
    return E.left([{ position: 1, message: `empty query: give at least one filter (${EXAMPLE})` }]);
  const s = new Scanner(text);
  const alternatives: QueryFilter[][] = [];
  let filters: QueryFilter[] = [];
  let terms = 0;
  for (;;) {
    s.skipSpaces();
    const c = s.peek();
    if (c === undefined || c === ';') {
      if (terms === 0) {
        const where = c === undefined ? 'after the last ";"' : 'before this ";"';
        s.errors.push({ position: s.i + 1, message: `empty query ${where}` });
      }
      alternatives.push(filters);
      filters = [];
      terms = 0;
      if (c === undefined) break;
      s.i++;
      continue;
    }
    terms++;
    const filter = readFilter(s);
    if (filter !== undefined) filters.push(filter);
  }
  return s.errors.length > 0 ? E.left(s.errors) : E.right({ text, alternatives });
};
