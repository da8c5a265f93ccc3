import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import { CANDLE_INTERVAL_MINUTES } from '../../domain/candle.ts';
import { isInstrumentToken, type InstrumentToken } from '../../domain/instrument.ts';
import type { SystemCommand } from '../../domain/system-command.ts';
import type { Inbound } from './command-bus.ts';
import { InvalidCommand } from './command-bus-errors.ts';

/**
 * The text form of operator commands on the command channel, and its decoder. Two forms arrive:
 * the seed's plain `START_BACKFILL` (trimmed, case-sensitive) and a JSON object
 * `{"command":"START_BACKFILL","days":5,"tokens":["26000"],"interval":"minute","id":"..."}`.
 * Anything else becomes `rejected` with a reason: a bad message is never an exception.
 */
export const START_BACKFILL = 'START_BACKFILL';
export const REFRESH_INSTRUMENTS = 'REFRESH_INSTRUMENTS';
/** The commands that take no argument, by their plain-text name. */
const BARE_COMMANDS: Readonly<Record<string, SystemCommand>> = {
  [START_BACKFILL]: { type: 'StartBackfill' },
  [REFRESH_INSTRUMENTS]: { type: 'RefreshInstruments' },
};
export const MIN_BACKFILL_DAYS = 1;
export const MAX_BACKFILL_DAYS = 60;
/** Far above any real command (51 tokens is ~500 bytes); a bigger message is refused unparsed. */
export const MAX_COMMAND_BYTES = 64 * 1024;
export const MAX_COMMAND_TOKENS = 1000;
/** Rejected messages keep this much of their text, for the log. */
export const RAW_SHOWN_CHARS = 200;

const Days = t.refinement(
  t.number,
  (n) => Number.isInteger(n) && n >= MIN_BACKFILL_DAYS && n <= MAX_BACKFILL_DAYS,
  `an integer from ${MIN_BACKFILL_DAYS} to ${MAX_BACKFILL_DAYS}`,
);

/** Tokens come as strings ("26000") or as numbers (26000); both become the same branded string. */
const TokenFromWire = new t.Type<InstrumentToken, string, unknown>(
  'an instrument token (a positive integer, as a string or a number)',
  (u): u is InstrumentToken => typeof u === 'string' && isInstrumentToken(u),
  (u, c) => {
    const s = typeof u === 'number' && Number.isSafeInteger(u) ? String(u) : u;
    return typeof s === 'string' && isInstrumentToken(s) ? t.success(s) : t.failure(u, c);
  },
  (a) => a,
);

const Tokens = t.refinement(
  t.readonlyArray(TokenFromWire),
  (a) => a.length >= 1 && a.length <= MAX_COMMAND_TOKENS,
  `a list of 1 to ${MAX_COMMAND_TOKENS} instrument tokens`,
);

const Interval = t.keyof(CANDLE_INTERVAL_MINUTES, `one of ${Object.keys(CANDLE_INTERVAL_MINUTES).join('|')}`);

/** Ids may name a plan's event stream, so they keep to characters that are safe in file names. */
const Id = t.refinement(
  t.string,
  (s) => /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(s),
  'an id of 1 to 128 characters from A-Z a-z 0-9 . _ : - (not starting with . _ : -)',
);

const StartBackfillJson = t.intersection([
  t.type({ command: t.literal(START_BACKFILL) }),
  t.partial({ days: Days, tokens: Tokens, interval: Interval, id: Id }),
]);
const KNOWN_FIELDS: ReadonlySet<string> = new Set(['command', 'days', 'tokens', 'interval', 'id']);

const shown = (raw: string): string => {
  const head = raw.slice(0, RAW_SHOWN_CHARS * 2);
  const points = Array.from(head);
  return points.length > RAW_SHOWN_CHARS ? points.slice(0, RAW_SHOWN_CHARS).join('') : head;
};

const rejected = (raw: string, reason: string): Inbound => ({ kind: 'rejected', raw: shown(raw), reason });

/** `tokens.2: expected an instrument token ...`, one phrase per failing field. */
const describeErrors = (errors: t.Errors): string => {
  const phrases = errors.map((err) => {
    // An intersection names its members by index; those indexes are not part of the field path.
    const path = err.context
      .filter((c, i) => i > 0 && !(err.context[i - 1]?.type instanceof t.IntersectionType))
      .map((c) => c.key)
      .join('.');
    const leaf = err.context[err.context.length - 1];
    return `${path === '' ? 'message' : path}: expected ${leaf?.type.name ?? 'a valid value'}`;
  });
  return [...new Set(phrases)].join('; ');
};

const isPlainObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

const decodeJson = (raw: string, text: string): Inbound => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return rejected(raw, `not JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(parsed)) return rejected(raw, 'expected a JSON object with a "command" field');
  const command = parsed['command'];
  if (command === undefined) return rejected(raw, 'missing field "command"');
  if (command === REFRESH_INSTRUMENTS) {
    const extra = Object.keys(parsed).filter((k) => k !== 'command');
    return extra.length === 0
      ? { kind: 'command', command: { type: 'RefreshInstruments' } }
      : rejected(raw, `${REFRESH_INSTRUMENTS} takes no field: ${extra.slice(0, 5).join(', ')}`);
  }
  if (command !== START_BACKFILL)
    return rejected(raw, `unknown command ${shown(JSON.stringify(command)).slice(0, 60)}`);
  // A typo such as "day" must not silently fall back to a default: unknown fields are refused.
  const unknown = Object.keys(parsed).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length > 0) return rejected(raw, `unknown field(s): ${unknown.slice(0, 5).join(', ')}`);
  const decoded = StartBackfillJson.decode(parsed);
  if (E.isLeft(decoded)) return rejected(raw, describeErrors(decoded.left));
  const { days, tokens, interval, id } = decoded.right;
  return {
    kind: 'command',
    command: {
      type: 'StartBackfill',
      ...(id === undefined ? {} : { id }),
      ...(days === undefined ? {} : { days }),
      ...(tokens === undefined ? {} : { tokens: [...new Set(tokens)] }),
      ...(interval === undefined ? {} : { interval }),
    },
  };
};

/** Decodes one message off the command channel. Total: every input gives a command or a rejection. */
export const decodeCommand = (raw: string): Inbound => {
  if (raw.length > MAX_COMMAND_BYTES) return rejected(raw, `message too large (${raw.length} characters)`);
  const text = raw.trim();
  const bare = Object.hasOwn(BARE_COMMANDS, text) ? BARE_COMMANDS[text] : undefined;
  if (bare !== undefined) return { kind: 'command', command: bare };
  if (text.startsWith('{') || text.startsWith('[')) return decodeJson(raw, text);
  if (text === '') return rejected(raw, 'empty message');
  if (Object.hasOwn(BARE_COMMANDS, text.toUpperCase()))
    return rejected(raw, `commands are case-sensitive: expected ${text.toUpperCase()}`);
  return rejected(
    raw,
    `unknown command (expected ${START_BACKFILL}, ${REFRESH_INSTRUMENTS} or a JSON object)`,
  );
};

/** Each command's name on the wire; a new kind of command must be given one. */
const WIRE_NAME: Readonly<Record<SystemCommand['type'], string>> = {
  StartBackfill: START_BACKFILL,
  RefreshInstruments: REFRESH_INSTRUMENTS,
};

/** The JSON form `publish` writes; `decodeCommand` reads it back to the same command. */
export const encodeCommand = (command: SystemCommand): string =>
  command.type === 'RefreshInstruments'
    ? JSON.stringify({ command: WIRE_NAME[command.type] })
    : JSON.stringify({
        command: WIRE_NAME[command.type],
        ...(command.id === undefined ? {} : { id: command.id }),
        ...(command.days === undefined ? {} : { days: command.days }),
        ...(command.tokens === undefined ? {} : { tokens: command.tokens }),
        ...(command.interval === undefined ? {} : { interval: command.interval }),
      });

/** Encodes a command for sending, checking it the way the receiver will. */
export const encodeCheckedCommand = (command: SystemCommand): E.Either<InvalidCommand, string> => {
  const text = encodeCommand(command);
  const back = decodeCommand(text);
  return back.kind === 'command' ? E.right(text) : E.left(new InvalidCommand(back.reason));
};
