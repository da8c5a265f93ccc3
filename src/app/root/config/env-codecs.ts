import * as t from 'io-ts';
import { decodeBase32, InvalidTotpSecret } from '../../../adapters/mstock/totp.ts';
import { parseIstTimeOfDay } from '../../../domain/ist.ts';

/**
 * io-ts codecs from an environment string to a typed value. Each codec's `name` is the phrase
 * that follows "expected" in the error message a user sees.
 */
const fromString = <A>(name: string, parse: (s: string) => A | undefined): t.Type<A, string> =>
  new t.Type<A, string, unknown>(
    name,
    (u): u is A => u !== undefined,
    (u, c) => {
      if (typeof u !== 'string') return t.failure(u, c);
      const v = parse(u.trim());
      return v === undefined ? t.failure(u, c) : t.success(v);
    },
    String,
  );

export const NonEmptyString = fromString('a non-empty string', (s) => (s === '' ? undefined : s));

export const intInRange = (min: number, max: number): t.Type<number, string> =>
  fromString(`an integer from ${min} to ${max}`, (s) => {
    if (!/^-?\d+$/.test(s)) return undefined;
    const n = Number(s);
    return n >= min && n <= max ? n : undefined;
  });

export const Port = intInRange(0, 65535);

export const oneOf = <const V extends string>(values: readonly V[]): t.Type<V, string> =>
  fromString(`one of ${values.join('|')}`, (s) => values.find((v) => v === s.toLowerCase()));

export const Bool = fromString('true or false', (s) => {
  const v = s.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return undefined;
});

const HOST_PORT =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\]):(\d{1,5})$/;

/** A comma-separated list of host:port pairs, as Kafka clients take their bootstrap brokers. */
export const BrokerList = fromString(
  'a comma-separated list of host:port (e.g. kafka:9092)',
  (s): readonly string[] | undefined => {
    const parts = s.split(',').map((p) => p.trim());
    if (parts.length === 0) return undefined;
    for (const p of parts) {
      const m = HOST_PORT.exec(p);
      if (m?.[1] === undefined || Number(m[1]) < 1 || Number(m[1]) > 65535) return undefined;
    }
    return parts;
  },
);

export const UrlWithScheme = (schemes: readonly string[]): t.Type<string, string> =>
  fromString(`a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`, (s) => {
    try {
      const u = new URL(s);
      return schemes.includes(u.protocol.replace(/:$/, '')) ? s.replace(/\/+$/, '') : undefined;
    } catch {
      return undefined;
    }
  });

/** A time of day in IST, kept as written (`08:30`, `08:30:15`): the root turns it into an `IstTimeOfDay`. */
export const IstClockTime = fromString('a time of day HH:MM in IST (e.g. 08:30)', (s) =>
  parseIstTimeOfDay(s) === undefined ? undefined : s,
);

export const CommaList = fromString('a comma-separated list', (s): readonly string[] =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== ''),
);

export const DateList = fromString(
  'a comma-separated list of dates YYYY-MM-DD',
  (s): readonly string[] | undefined => {
    const parts = s
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    return parts.every((p) => /^\d{4}-\d{2}-\d{2}$/.test(p) && !Number.isNaN(Date.parse(`${p}T00:00:00Z`)))
      ? parts
      : undefined;
  },
);

/**
 * A TOTP secret as the login computes codes from it (src/adapters/mstock/totp.ts decodes it the same
 * way: RFC 4648 base32, case, spaces, dashes and trailing `=` ignored), so a bad one stops the start,
 * not the first login. Kept as written: the login decodes it again.
 */
export const Base32Secret = fromString(
  'base32 (RFC 4648: letters A-Z and digits 2-7; case, spaces, dashes and = padding ignored)',
  (s) => {
    try {
      return decodeBase32(s).length > 0 ? s : undefined;
    } catch (e) {
      if (e instanceof InvalidTotpSecret) return undefined;
      throw e;
    }
  },
);
