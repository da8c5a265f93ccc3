import { either as E } from 'fp-ts';
import { resolve } from 'node:path';
import { maskUrlCredentials } from './mask-url-credentials.ts';
import { retiredSettingErrors } from './retired-settings.ts';
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
 * Folders taken against the working folder once, at decode: everything joined onto them later, and
 * the forked backfill stages (which refuse a relative path), see one absolute path.
 */
const FOLDER_SETTINGS = ['dataDir', 'eventLogDir'] as const satisfies readonly SettingKey[];

/**
 * Decodes every setting at once, so a user sees every bad variable in one go, one line each,
 * before any connection is made. `cwd` is the folder relative DATA_DIR and EVENT_LOG_DIR are in.
 */
export const decodeConfig = (
  env: Env,
  mode: Mode,
  cwd: string = process.cwd(),
): E.Either<readonly string[], AppConfig> => {
  const errors: string[] = retiredSettingErrors(env);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const s = SETTINGS[key] as Setting<unknown>;
    const r = decodeSetting(env, s, REQUIRED[mode].includes(key));
    if (E.isLeft(r)) errors.push(r.left);
    else if (r.right !== undefined) out[key] = r.right;
  }
  for (const key of FOLDER_SETTINGS) {
    const folder = out[key];
    if (typeof folder === 'string') out[key] = resolve(cwd, folder);
  }
  // Each key was decoded by its own setting's codec above, so `out` has the AppConfig shape.
  return errors.length > 0 ? E.left(errors) : E.right(Object.freeze(out) as AppConfig);
};

/**
 * The application settings as `NAME=value` lines, secrets masked and so the credentials in a URL;
 * `describeServiceConfig` adds the Kafka sink's and the values derived from DATA_DIR.
 */
export const describeConfig = (config: AppConfig): string[] =>
  (Object.keys(SETTINGS) as SettingKey[]).map((key) => {
    const s = SETTINGS[key] as Setting<unknown>;
    const value: unknown = (config as Record<string, unknown>)[key];
    if (value === undefined) return `${s.env}=(unset)`;
    if (s.secret) return `${s.env}=****`;
    const codec = s.codec;
    return `${s.env}=${maskUrlCredentials(Array.isArray(value) ? value.join(',') : codec.encode(value))}`;
  });
