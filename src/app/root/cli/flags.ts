import { either as E } from 'fp-ts';
import { expectedLine } from '../config/setting.ts';

type FlagName = `--${string}`;

/** The flags a command declares: those that take a value, those that do not, and whether bare words are allowed. */
export interface FlagDeclarations<V extends FlagName, S extends FlagName> {
  readonly values?: readonly V[];
  readonly switches?: readonly S[];
  /** Bare words (replay's files); refused unless declared. */
  readonly positionals?: boolean;
}

export interface ParsedArgs<V extends FlagName, S extends FlagName> {
  readonly values: Readonly<Partial<Record<V, string>>>;
  readonly switches: ReadonlySet<S>;
  readonly positionals: readonly string[];
}

/**
 * Reads a command line against the flags a command declares: `--name value` or `--name=value`,
 * switches alone, `--` ends the flags. Every problem is reported, one line each: an undeclared flag
 * (a typo must never start the service), a flag without its value, a value given to a switch.
 * What could be read is returned beside the problems, so a command can check those values too.
 */
export const readArgs = <const V extends FlagName = never, const S extends FlagName = never>(
  args: readonly string[],
  declared: FlagDeclarations<V, S>,
): { readonly parsed: ParsedArgs<V, S>; readonly problems: readonly string[] } => {
  const valueFlags: readonly string[] = declared.values ?? [];
  const switchFlags: readonly string[] = declared.switches ?? [];
  const isValueFlag = (name: string): name is V => valueFlags.includes(name);
  const isSwitch = (name: string): name is S => switchFlags.includes(name);
  const problems: string[] = [];
  const values: Partial<Record<V, string>> = {};
  const switches = new Set<S>();
  const positionals: string[] = [];
  let flagsEnded = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (flagsEnded || !arg.startsWith('-') || arg === '-') {
      if (declared.positionals === true) positionals.push(arg);
      else problems.push(`unexpected argument "${arg}"`);
      continue;
    }
    if (arg === '--') {
      flagsEnded = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (isSwitch(name)) {
      if (eq >= 0) problems.push(`${name} takes no value`);
      else switches.add(name);
    } else if (isValueFlag(name)) {
      const next = args[i + 1];
      const value =
        eq >= 0 ? arg.slice(eq + 1) : next !== undefined && !next.startsWith('--') ? next : undefined;
      if (eq < 0 && value !== undefined) i += 1;
      if (value === undefined || value === '') problems.push(`${name} needs a value`);
      else values[name] = value;
    } else problems.push(`unknown option ${name}`);
  }
  return { parsed: { values, switches, positionals }, problems };
};

/** `readArgs`, all or nothing: the flags, or every problem with them. */
export const parseArgs = <const V extends FlagName = never, const S extends FlagName = never>(
  args: readonly string[],
  declared: FlagDeclarations<V, S>,
): E.Either<readonly string[], ParsedArgs<V, S>> => {
  const { parsed, problems } = readArgs(args, declared);
  return problems.length > 0 ? E.left(problems) : E.right(parsed);
};

/** An integer flag within bounds (no `max`: any size from `min` up); undefined when not given. */
export const integerFlag = (
  name: string,
  text: string | undefined,
  bounds: { readonly min: number; readonly max?: number },
): E.Either<string, number | undefined> => {
  if (text === undefined) return E.right(undefined);
  const { min, max = Number.MAX_SAFE_INTEGER } = bounds;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return E.right(n);
  const expected =
    bounds.max === undefined ? `a whole number of ${min} or more` : `an integer from ${min} to ${max}`;
  return E.left(expectedLine(name, expected, text));
};
