import { either as E } from 'fp-ts';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';

/** What the Redis command bus needs to know; the config module decodes the environment into it. */
export interface RedisCommandBusSettings {
  /** `redis://host:port/db` or `rediss://` for TLS; credentials in the URL are allowed. */
  readonly url: string;
  /** ACL user; overrides a user in the URL. */
  readonly username?: string;
  /** Password (of the ACL user, or `requirepass`); overrides a password in the URL. */
  readonly password?: string;
  /** PEM file of the CA that signed the server's certificate, for `rediss://` with a private CA. */
  readonly tlsCaFile?: string;
  readonly channel: string;
  /** PING the subscriber connection this often; no answer by the next beat means it is dead. */
  readonly heartbeatMs: number;
  /** How long `subscribe` and `publish` wait for a connection, and `publish` for its reply. */
  readonly timeoutMs: number;
}

/** Environment names and defaults, for the config module (the one place defaults are decoded). */
export const REDIS_COMMAND_BUS_ENV = {
  url: 'REDIS_URL',
  username: 'REDIS_USERNAME',
  password: 'REDIS_PASSWORD',
  tlsCaFile: 'REDIS_TLS_CA_FILE',
  channel: 'REDIS_COMMAND_CHANNEL',
  heartbeatMs: 'REDIS_HEARTBEAT_MS',
  timeoutMs: 'REDIS_TIMEOUT_MS',
} as const satisfies Record<keyof RedisCommandBusSettings, string>;

export const REDIS_COMMAND_BUS_DEFAULTS = {
  url: 'redis://127.0.0.1:6379',
  channel: 'system:commands',
  heartbeatMs: 5_000,
  timeoutMs: 10_000,
} as const satisfies Partial<RedisCommandBusSettings>;

export class RedisSettingsError extends Error {
  readonly setting: string;
  constructor(setting: string, problem: string) {
    super(`${setting}: ${problem}`);
    this.name = 'RedisSettingsError';
    this.setting = setting;
  }
}

/** The connection part of ioredis' options. */
export interface RedisEndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: ConnectionOptions;
}

export interface RedisEndpoint {
  readonly options: RedisEndpointOptions;
  /** `host:port/db`, for logs: never the credentials. */
  readonly address: string;
}

const DEFAULT_PORT = 6379;

/**
 * Turns the settings into ioredis options. The URL is parsed here rather than by ioredis so the
 * explicit user and password win over the URL's, and so a bad URL fails at start with its name.
 */
export const redisEndpoint = (
  settings: Pick<RedisCommandBusSettings, 'url' | 'username' | 'password'>,
  tlsCa?: Buffer,
): E.Either<RedisSettingsError, RedisEndpoint> => {
  let url: URL;
  try {
    url = new URL(settings.url);
  } catch {
    return E.left(new RedisSettingsError('REDIS_URL', 'not a URL (expected redis://host:port)'));
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    return E.left(new RedisSettingsError('REDIS_URL', 'expected a redis:// or rediss:// URL'));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') return E.left(new RedisSettingsError('REDIS_URL', 'missing host'));
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,5}$/.test(dbText))
    return E.left(new RedisSettingsError('REDIS_URL', 'the path must be a database number (e.g. /0)'));
  const db = dbText === '' ? 0 : Number(dbText);
  const username = settings.username ?? (url.username === '' ? undefined : decodeURIComponent(url.username));
  const password = settings.password ?? (url.password === '' ? undefined : decodeURIComponent(url.password));
  if (username !== undefined && password === undefined)
    return E.left(new RedisSettingsError('REDIS_PASSWORD', 'required when an ACL user is set'));
  const tls: ConnectionOptions | undefined =
    url.protocol === 'rediss:'
      ? {
          // SNI takes host names only; certificates for an IP are checked against the IP SAN.
          ...(isIP(host) === 0 ? { servername: host } : {}),
          ...(tlsCa === undefined ? {} : { ca: tlsCa }),
        }
      : undefined;
  return E.right({
    options: {
      host,
      port,
      db,
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      ...(tls === undefined ? {} : { tls }),
    },
    address: `${host}:${port}/${db}${tls === undefined ? '' : ' (tls)'}`,
  });
};
