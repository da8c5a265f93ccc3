import { either as E } from 'fp-ts';
import { decodeSetting, type Env, type Setting } from './setting.ts';
import { SETTINGS, type SettingKey } from './settings.ts';

type ValueOf<S> = S extends Setting<infer A> ? A : never;
type HasDefault<K extends SettingKey> = (typeof SETTINGS)[K] extends { readonly default: undefined }
  ? false
  : true;

/** The decoded configuration: a value for every setting that has a default, optional otherwise. */
export type AppConfig = Readonly<
  { [K in SettingKey as HasDefault<K> extends true ? K : never]: ValueOf<(typeof SETTINGS)[K]> } & {
    [K in SettingKey as HasDefault<K> extends true ? never : K]?: ValueOf<(typeof SETTINGS)[K]>;
  }
>;

export type Mode = 'live' | 'demo' | 'backfill' | 'replay' | 'record' | 'simulate';

/** Which settings a mode cannot run without. */
const REQUIRED: Readonly<Record<Mode, readonly SettingKey[]>> = {
  live: ['mstockUser', 'mstockPass', 'mstockApiKey'],
  record: ['mstockUser', 'mstockPass', 'mstockApiKey'],
  backfill: ['mstockUser', 'mstockPass', 'mstockApiKey'],
  demo: [],
  replay: [],
  simulate: [],
};

/**
 * Decodes every setting at once, so a user sees every bad variable in one go, one line each,
 * before any connection is made.
 */
export const decodeConfig = (env: Env, mode: Mode): E.Either<readonly string[], AppConfig> => {
  const errors: string[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const s = SETTINGS[key] as Setting<unknown>;
    const r = decodeSetting(env, s, REQUIRED[mode].includes(key));
    if (E.isLeft(r)) errors.push(r.left);
    else if (r.right !== undefined) out[key] = r.right;
  }
  // Each key was decoded by its own setting's codec above, so `out` has the AppConfig shape.
  return errors.length > 0 ? E.left(errors) : E.right(Object.freeze(out) as AppConfig);
};

/** The effective configuration as `NAME=value` lines, secrets masked, for `--check-config`. */
export const describeConfig = (config: AppConfig): string[] =>
  (Object.keys(SETTINGS) as SettingKey[]).map((key) => {
    const s = SETTINGS[key] as Setting<unknown>;
    const value: unknown = (config as Record<string, unknown>)[key];
    if (value === undefined) return `${s.env}=(unset)`;
    if (s.secret) return `${s.env}=****`;
    const codec = s.codec;
    return `${s.env}=${Array.isArray(value) ? value.join(',') : codec.encode(value)}`;
  });
