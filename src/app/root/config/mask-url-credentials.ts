/**
 * `scheme://user:password@host` as `scheme://user:****@host`, and a lone `scheme://token@host` as
 * `scheme://****@host`, wherever such a URL appears in `text`. Works on text that is not a valid
 * URL too, so a malformed value can be echoed in an error without its password. Up to the last `@`,
 * as a password may hold an unencoded `@` or `/`: it rather masks too much than too little.
 */
export const maskUrlCredentials = (text: string): string =>
  text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)(\S*)@/g, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? `${scheme}****@` : `${scheme}${userinfo.slice(0, colon)}:****@`;
  });
