import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import {
  REDIS_COMMAND_BUS_DEFAULTS,
  redisEndpoint,
  type RedisEndpoint,
} from '../../../src/adapters/redis/redis-settings.ts';

const ok = (settings: Parameters<typeof redisEndpoint>[0], ca?: Buffer): RedisEndpoint => {
  const r = redisEndpoint(settings, ca);
  if (E.isLeft(r)) throw r.left;
  return r.right;
};
const problem = (settings: Parameters<typeof redisEndpoint>[0]): string => {
  const r = redisEndpoint(settings);
  if (E.isRight(r)) throw new Error('expected a settings error');
  return r.left.message;
};

describe('redisEndpoint', () => {
  it('reads the default URL as local Redis, database 0, no TLS, no credentials', () => {
    expect(ok({ url: REDIS_COMMAND_BUS_DEFAULTS.url })).toEqual({
      options: { host: '127.0.0.1', port: 6379, db: 0 },
      address: '127.0.0.1:6379/0',
    });
  });

  it('reads host, port, database and percent-encoded credentials from the URL', () => {
    expect(ok({ url: 'redis://ops:p%40ss%3Aword@redis.internal:6380/2' }).options).toEqual({
      host: 'redis.internal',
      port: 6380,
      db: 2,
      username: 'ops',
      password: 'p@ss:word',
    });
  });

  it('lets REDIS_USERNAME and REDIS_PASSWORD win over the URL', () => {
    expect(ok({ url: 'redis://a:b@h:1', username: 'tickflow', password: 'secret' }).options).toMatchObject({
      username: 'tickflow',
      password: 'secret',
    });
    expect(ok({ url: 'redis://h', password: 'only-pass' }).options).toEqual({
      host: 'h',
      port: 6379,
      db: 0,
      password: 'only-pass',
    });
  });

  it('turns on TLS for rediss://, with SNI for host names and the given CA', () => {
    const ca = Buffer.from('PEM');
    expect(ok({ url: 'rediss://cache.example.com:6380' }, ca).options.tls).toEqual({
      servername: 'cache.example.com',
      ca,
    });
    expect(ok({ url: 'rediss://10.0.0.5' }).options.tls).toEqual({});
    expect(ok({ url: 'rediss://10.0.0.5' }).address).toBe('10.0.0.5:6379/0 (tls)');
  });

  it('takes IPv6 addresses', () => {
    expect(ok({ url: 'redis://[::1]:7000' }).options).toMatchObject({ host: '::1', port: 7000 });
  });

  it('never puts the credentials in the address it logs', () => {
    expect(ok({ url: 'redis://user:hunter2@h:1', password: 'x' }).address).toBe('h:1/0');
  });

  it('refuses bad URLs, naming the setting', () => {
    expect(problem({ url: 'not a url' })).toMatch(/^REDIS_URL: not a URL/);
    expect(problem({ url: 'http://h:6379' })).toBe('REDIS_URL: expected a redis:// or rediss:// URL');
    expect(problem({ url: 'redis://h:6379/cache' })).toMatch(
      /^REDIS_URL: the path must be a database number/,
    );
  });

  it('refuses a user without a password', () => {
    expect(problem({ url: 'redis://h', username: 'tickflow' })).toBe(
      'REDIS_PASSWORD: required when an ACL user is set',
    );
  });
});
