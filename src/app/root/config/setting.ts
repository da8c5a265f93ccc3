import { either as E } from 'fp-ts';
import type * as t from 'io-ts';
import { readFileSync } from 'node:fs';
import { maskUrlCredentials } from './mask-url-credentials.ts';

/** One environment variable: its codec, its default (when `D`), and whether it is a secret. */
export interface Setting<A, D extends boolean = boolean> {
  readonly env: string;
  readonly codec: t.Type<A, string>;
  readonly default: D extends true ? A : undefined;
  readonly doc: string;
  readonly secret: boolean;
}

export function setting<A>(
  env: string,
  codec: t.Type<A, string>,
  doc: string,
  options: { default: NoInfer<A>; secret?: boolean },
): Setting<A, true>;
export function setting<A>(
  env: string,
  codec: t.Type<A, string>,
  doc: string,
  options?: { secret?: boolean },
): Setting<A, false>;
export function setting<A>(
  env: string,
  codec: t.Type<A, string>,
  doc: string,
  options: { default?: A; secret?: boolean } = {},
): Setting<A> {
  return { env, codec, default: options.default, doc, secret: options.secret ?? false };
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The raw text of a setting: the variable itself, else the file named by `<NAME>_FILE` (Docker and
 * Kubernetes secrets), else undefined. An empty variable counts as unset.
 */
export const rawValue = (env: Env, name: string): E.Either<string, string | undefined> => {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return E.right(direct);
  const file = env[`${name}_FILE`];
  if (file === undefined || file === '') return E.right(undefined);
  try {
    return E.right(readFileSync(file, 'utf8').replace(/\r?\n$/, ''));
  } catch (e) {
    return E.left(`${name}_FILE: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
};

/**
 * `NAME: expected WHAT (got "text")`: the one form of every complaint about a value, for settings
 * and flags alike. `got` is left out for a secret, whose value must never be printed.
 */
export const expectedLine = (name: string, expected: string, got?: string): string =>
  `${name}: expected ${expected}${got === undefined ? '' : ` (got "${got}")`}`;

/** Decodes one setting; the error names the variable and says what was expected, never the value of a secret. */
export const decodeSetting = <A>(
  env: Env,
  s: Setting<A>,
  required: boolean,
): E.Either<string, A | undefined> => {
  const raw = rawValue(env, s.env);
  if (E.isLeft(raw)) return raw;
  if (raw.right === undefined) {
    if (s.default !== undefined) return E.right(s.default);
    return required ? E.left(`${s.env}: missing; expected ${s.codec.name} (${s.doc})`) : E.right(undefined);
  }
  const decoded = s.codec.decode(raw.right);
  if (E.isRight(decoded)) return E.right(decoded.right);
  const shown = s.secret ? undefined : maskUrlCredentials(raw.right).slice(0, 80);
  return E.left(expectedLine(s.env, s.codec.name, shown));
};
