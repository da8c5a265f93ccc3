import type { Env } from './setting.ts';

/** Settings tickflow no longer reads, with what replaced them and how it differs. */
const RETIRED: Readonly<Record<string, { readonly by: string; readonly why: string }>> = {
  MSTOCK_MAX_TOKENS_PER_CONNECTION: {
    by: 'MSTOCK_MAX_INSTRUMENTS_PER_SOCKET',
    why: 'the feed now opens as many sockets as the selection needs, up to MSTOCK_MAX_SOCKETS',
  },
};

/**
 * One line per retired setting still set: the start stops rather than silently ignore a value
 * the user meant to apply. Names only the variables, never a value.
 */
export const retiredSettingErrors = (env: Env): string[] =>
  Object.entries(RETIRED)
    .filter(([name]) => (env[name] ?? '') !== '' || (env[`${name}_FILE`] ?? '') !== '')
    .map(([name, r]) => `${name}: no longer read; set ${r.by} instead (${r.why})`);
